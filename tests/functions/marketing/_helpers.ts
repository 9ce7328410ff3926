// Shared by the marketing HTTP tests: the Resend stand-in's inbox (what ./dev start runs), and a
// unique address per test so parallel tests never read each other's mail.
import type { StoredEmail } from "../../../supabase/local/standins/resend.ts";
import { config, eventually } from "../../support/harness.ts";

export const uniqueEmail = (tag: string) => `${tag}-${crypto.randomUUID().slice(0, 8)}@mail.test`;

export async function inbox(to: string): Promise<StoredEmail[]> {
  const list = await (await fetch(`${config.resendUrl}/api/v1/messages?to=${encodeURIComponent(to)}`)).json();
  return await Promise.all(
    list.messages.map(async (m: { id: string }) =>
      await (await fetch(`${config.resendUrl}/api/v1/messages/${m.id}`)).json()
    ),
  );
}

/** Waits for the n-th e-mail to an address (sent by the send job pg_net or pg_cron woke). */
export function mailTo(to: string, count = 1, timeoutMs = 20_000): Promise<StoredEmail[]> {
  return eventually(async () => {
    const mails = await inbox(to);
    return mails.length >= count ? mails : null;
  }, timeoutMs);
}

/** The href of the first link in the HTML whose URL contains `fragment`, entities decoded. */
export function linkIn(html: string, fragment: string): string {
  const href = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replaceAll("&amp;", "&"))
    .find((url) => url.includes(fragment));
  if (!href) throw new Error(`no link containing ${fragment} in: ${html.slice(0, 500)}`);
  return href;
}
