// Fixtures for the leads tests: a private regional office far from every seeded one (so parallel
// tests never route leads into it), staff that work there, and leads captured at its doorstep.
import { api, createUser, sql, type TestUser, uniqueIp } from "../../support/harness.ts";

export interface TestOffice {
  id: string;
  latitude: number;
  longitude: number;
}

/** An office in the Alaskan wilderness at a random spot: the nearest office only for its own leads. */
export async function createOffice(label: string): Promise<TestOffice> {
  const latitude = 55 + Math.random() * 15;
  const longitude = -165 + Math.random() * 25;
  const [office] = await sql()`
    insert into leads.regional_offices (name, region, city, state, latitude, longitude)
    values (${`${label} ${
    crypto.randomUUID().slice(0, 8)
  }`}, ${`Test ${label}`}, 'Nowhere', 'AK', ${latitude}, ${longitude})
    returning id`;
  return { id: office.id, latitude, longitude };
}

export async function staffIn(office: TestOffice, staffRole = "sales"): Promise<TestUser> {
  const user = await createUser({ staffRole });
  await sql()`insert into leads.office_members (office_id, user_id) values (${office.id}, ${user.id})`;
  return user;
}

export const uniqueEmail = (tag: string) => `${tag}-${crypto.randomUUID().slice(0, 12)}@leads-test.local`;

/** Captures a business lead located at the office (201 expected); returns its id. */
export async function leadAt(office: TestOffice, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await api("leads", {
    body: {
      kind: "business",
      email: uniqueEmail("lead"),
      companyName: "Test Plant",
      latitude: office.latitude,
      longitude: office.longitude,
      ...extra,
    },
    ip: uniqueIp(),
  });
  if (response.status !== 201) throw new Error(`capture failed: ${response.status} ${response.text}`);
  return response.body.id;
}

/** A random North American number: { local: "(713) 555-0142", e164: "+17135550142" }. */
export function uniquePhone(): { local: string; e164: string } {
  const digit = (from = 0) => String(from + Math.floor(Math.random() * (10 - from)));
  const area = digit(2) + digit() + digit();
  const exchange = digit(2) + digit() + digit();
  const line = digit() + digit() + digit() + digit();
  return { local: `(${area}) ${exchange}-${line}`, e164: `+1${area}${exchange}${line}` };
}
