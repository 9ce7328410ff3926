// What marketing staff manage — lists, templates, campaigns, automations, segments — through the
// caller's own database role (asUser), so the RLS policies decide; nothing here runs as the service.
import type { z } from "zod";
import { asUser, type Claims, rpc, rpcAs } from "../db.ts";
import { notFound } from "../errors.ts";
import { checkData, checkTemplate, renderTemplate } from "./render.ts";
import type {
  AutomationBody,
  CampaignBody,
  CampaignPatch,
  ListBody,
  PreviewBody,
  SegmentBody,
  TemplateBody,
  TemplatePatch,
} from "./schemas.ts";

const TEMPLATE_COLUMNS =
  `id, slug, name, kind, subject, body_html as "bodyHtml", body_text as "bodyText", variables,
  updated_at as "updatedAt"`;

export function listTemplates(claims: Claims) {
  return asUser(
    claims,
    (tx) => tx.unsafe(`select ${TEMPLATE_COLUMNS} from marketing.templates order by slug`),
  );
}

export async function createTemplate(claims: Claims, input: z.infer<typeof TemplateBody>) {
  checkTemplate(input);
  const [row] = await asUser(claims, (tx) =>
    tx.unsafe(
      `insert into marketing.templates (slug, name, kind, subject, body_html, body_text, variables)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${TEMPLATE_COLUMNS}`,
      [input.slug, input.name, input.kind, input.subject, input.bodyHtml, input.bodyText, input.variables],
    ));
  return row;
}

export async function updateTemplate(claims: Claims, id: string, patch: z.infer<typeof TemplatePatch>) {
  return await asUser(claims, async (tx) => {
    const [current] = await tx`
      select subject, body_html as "bodyHtml", body_text as "bodyText", variables
      from marketing.templates where id = ${id} for update`;
    if (!current) throw notFound("No such template.");
    const next = { ...current, ...patch } as {
      subject: string;
      bodyHtml: string;
      bodyText: string;
      variables: string[];
    };
    checkTemplate(next);
    const [row] = await tx.unsafe(
      `update marketing.templates set name = coalesce($2, name), kind = coalesce($3, kind), subject = $4,
         body_html = $5, body_text = $6, variables = $7, updated_at = now()
       where id = $1 returning ${TEMPLATE_COLUMNS}`,
      [
        id,
        patch.name ?? null,
        patch.kind ?? null,
        next.subject,
        next.bodyHtml,
        next.bodyText,
        next.variables,
      ],
    );
    return row;
  });
}

/** Renders a template with sample data, exactly as the send job would (strict, escaped HTML). */
export async function previewTemplate(claims: Claims, id: string, input: z.infer<typeof PreviewBody>) {
  const [template] = await asUser(
    claims,
    (tx) =>
      tx`select subject, body_html as "bodyHtml", body_text as "bodyText", variables
       from marketing.templates where id = ${id}`,
  );
  if (!template) throw notFound("No such template.");
  checkData(template.variables, input.data);
  return await renderTemplate(template as never, {
    subscriber: {
      name: input.subscriber?.name ?? "",
      email: input.subscriber?.email ?? "preview@example.com",
    },
    list: { id: null, name: "Preview list" },
    ...input.data,
    links: { unsubscribe: "https://example.com/unsubscribe", confirm: "https://example.com/confirm" },
  });
}

export function listLists(claims: Claims) {
  return asUser(
    claims,
    (tx) =>
      tx`select l.id, l.slug, l.name, l.description, l.opt_in as "optIn", l.consent_version as "consentVersion",
              (select count(*)::int from marketing.subscriptions x where x.list_id = l.id and x.status = 'confirmed') as confirmed
       from marketing.lists l order by l.slug`,
  );
}

export async function createList(claims: Claims, input: z.infer<typeof ListBody>) {
  const [row] = await asUser(
    claims,
    (tx) =>
      tx`insert into marketing.lists (slug, name, description, opt_in, consent_text, consent_version)
       values (${input.slug}, ${input.name}, ${
        input.description ?? null
      }, ${input.optIn}, ${input.consentText},
               ${input.consentVersion})
       returning id, slug, name, opt_in as "optIn"`,
  );
  return row;
}

const CAMPAIGN_COLUMNS =
  `id, name, template_id as "templateId", list_id as "listId", segment_id as "segmentId", status,
  send_at as "sendAt", started_at as "startedAt", finished_at as "finishedAt", created_at as "createdAt"`;

export function listCampaigns(claims: Claims) {
  return asUser(
    claims,
    (tx) =>
      tx.unsafe(`select ${CAMPAIGN_COLUMNS} from marketing.campaigns order by created_at desc limit 200`),
  );
}

export async function createCampaign(claims: Claims, input: z.infer<typeof CampaignBody>) {
  const [row] = await asUser(claims, (tx) =>
    tx.unsafe(
      `insert into marketing.campaigns (name, template_id, list_id, segment_id, created_by)
       values ($1, $2, $3, $4, $5) returning ${CAMPAIGN_COLUMNS}`,
      [input.name, input.templateId, input.listId, input.segmentId ?? null, claims.sub ?? null],
    ));
  return row;
}

export async function updateCampaign(claims: Claims, id: string, patch: z.infer<typeof CampaignPatch>) {
  const [row] = await asUser(claims, (tx) =>
    tx.unsafe(
      `update marketing.campaigns set name = coalesce($2, name), template_id = coalesce($3, template_id),
         list_id = coalesce($4, list_id), segment_id = case when $6 then $5::uuid else segment_id end
       where id = $1 returning ${CAMPAIGN_COLUMNS}`,
      [
        id,
        patch.name ?? null,
        patch.templateId ?? null,
        patch.listId ?? null,
        patch.segmentId ?? null,
        patch.segmentId !== undefined,
      ],
    ));
  if (!row) throw notFound("No such campaign.");
  return row;
}

export type CampaignAction = "schedule" | "pause" | "resume" | "cancel" | "unschedule";
const NEXT_STATUS: Record<CampaignAction, string> = {
  schedule: "scheduled",
  unschedule: "draft",
  pause: "paused",
  resume: "running",
  cancel: "cancelled",
};

export async function changeCampaign(claims: Claims, id: string, action: CampaignAction, sendAt?: string) {
  const [row] = await asUser(claims, (tx) =>
    tx.unsafe(
      `update marketing.campaigns set status = $2, send_at = case when $2 = 'scheduled' then $3::timestamptz else send_at end
       where id = $1 returning ${CAMPAIGN_COLUMNS}`,
      [id, NEXT_STATUS[action], sendAt ?? new Date().toISOString()],
    ));
  if (!row) throw notFound("No such campaign.");
  return row;
}

export function campaignStats(claims: Claims, id: string) {
  return rpcAs<{ campaignId: string; [figure: string]: string | number }>(
    claims,
    "marketing.campaign_stats",
    { campaign_id: id },
  );
}

export function listAutomations(claims: Claims) {
  return asUser(claims, (tx) =>
    tx`select a.id, a.slug, a.name, a.trigger, a.list_id as "listId", a.active,
              coalesce((select jsonb_agg(jsonb_build_object('position', s.position, 'templateId', s.template_id,
                                         'delayMinutes', extract(epoch from s.delay)::int / 60, 'condition', s.condition)
                                         order by s.position)
                        from marketing.automation_steps s where s.automation_id = a.id), '[]') as steps,
              (select count(*)::int from marketing.automation_runs r where r.automation_id = a.id) as runs
       from marketing.automations a order by a.slug`);
}

export async function createAutomation(claims: Claims, input: z.infer<typeof AutomationBody>) {
  return await asUser(claims, async (tx) => {
    const [automation] = await tx`
      insert into marketing.automations (slug, name, trigger, list_id, active)
      values (${input.slug}, ${input.name}, ${input.trigger}, ${input.listId ?? null}, ${input.active})
      returning id, slug, name, trigger, list_id as "listId", active`;
    const steps = input.steps.map((step, position) => ({
      position,
      template_id: step.templateId,
      delay: `${step.delayMinutes} minutes`,
      condition: step.condition ?? null,
    }));
    await tx`
      insert into marketing.automation_steps (automation_id, position, template_id, delay, condition)
      select ${automation.id}, (s ->> 'position')::int, (s ->> 'template_id')::uuid, (s ->> 'delay')::interval,
             nullif(s -> 'condition', 'null'::jsonb)
      from jsonb_array_elements(${tx.json(steps as never)}) s`;
    return { ...automation, steps: input.steps };
  });
}

export function segmentStats(claims: Claims) {
  return rpcAs<Record<string, unknown>[]>(claims, "marketing.segment_stats");
}

export async function createSegment(claims: Claims, input: z.infer<typeof SegmentBody>) {
  const [row] = await asUser(
    claims,
    (tx) =>
      tx`insert into marketing.segments (slug, name, definition, compiled)
       values (${input.slug}, ${input.name}, ${tx.json(input.definition as never)}, '')
       returning id, slug, name, definition`,
  );
  return row;
}

/** The size a definition would have now, without saving it. */
export async function previewSegment(claims: Claims, definition: Record<string, unknown>) {
  return await asUser(claims, async (tx) => {
    const predicate = await rpc<string>(tx, "marketing.compile_segment", { definition });
    // The predicate comes from the compiler, which admits only listed fields and quoted literals; the
    // count runs under the caller's RLS.
    const [row] = await tx.unsafe(
      `select count(*)::int as size, coalesce(sum(ca.total_spent), 0)::float8 as revenue
       from marketing.customer_analytics ca where coalesce(${predicate}, false)`,
    );
    return row as unknown as { size: number; revenue: number };
  });
}
