// Templates render with liquidjs (sandboxed: no filesystem — `templates: {}` makes include/render/layout
// look only in an empty in-memory map —, no JavaScript, own properties only, parse/render/memory limits).
// HTML bodies escape every output by default (outputEscape: "escape"); subject and text bodies are not
// HTML and are rendered unescaped by a second engine. Both are strict: an unknown variable or filter is an
// error, never an empty string. Staff templates are checked on write: every variable they use must be a
// built-in or declared in the template's `variables`.
import { Liquid } from "liquidjs";
import { type ErrorDetail, unprocessable } from "../errors.ts";

export const BUILTIN_VARIABLES = ["subscriber", "list", "links"] as const;

/** Limits per variable value and per message's data, so one row cannot blow up a send batch. */
export const MAX_DATA_BYTES = 32 * 1024;
export const MAX_STRING_CHARS = 5000;

const common = {
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  templates: {},
  parseLimit: 250_000,
  renderLimit: 1000,
  memoryLimit: 20_000_000,
  cache: 200,
} as const;

const htmlEngine = new Liquid({ ...common, outputEscape: "escape" });
const textEngine = new Liquid({ ...common });

export interface TemplateSource {
  subject: string;
  bodyHtml: string;
  bodyText: string;
  variables: string[];
}

export interface Rendered {
  subject: string;
  html: string;
  text: string;
}

const PARTS = [["subject", "subject"], ["bodyHtml", "bodyHtml"], ["bodyText", "bodyText"]] as const;

/** Parses every part and checks the variables it uses; throws 422 with one detail per problem. */
export function checkTemplate(source: TemplateSource): void {
  const allowed = new Set<string>([...BUILTIN_VARIABLES, ...source.variables]);
  const details: ErrorDetail[] = [];
  for (const [key, path] of PARTS) {
    const engine = key === "bodyHtml" ? htmlEngine : textEngine;
    try {
      for (const name of engine.globalVariablesSync(source[key])) {
        if (!allowed.has(name)) {
          details.push({
            path,
            code: "unknown_variable",
            message: `${name} is neither built in nor declared`,
          });
        }
      }
    } catch (error) {
      details.push({ path, code: "template_syntax", message: firstLine(error) });
    }
  }
  if (details.length) throw unprocessable("The template does not compile.", details);
}

/** Checks a message's data against the template's declared variables and the size limits. */
export function checkData(declared: string[], data: Record<string, unknown>): void {
  const details: ErrorDetail[] = [];
  const allowed = new Set(declared);
  for (const key of Object.keys(data)) {
    if (!allowed.has(key)) {
      details.push({ path: key, code: "unknown_variable", message: "not declared by the template" });
    }
  }
  if (new TextEncoder().encode(JSON.stringify(data)).length > MAX_DATA_BYTES) {
    details.push({ path: "", code: "too_large", message: `data exceeds ${MAX_DATA_BYTES} bytes` });
  }
  const walk = (value: unknown, path: string) => {
    if (typeof value === "string" && value.length > MAX_STRING_CHARS) {
      details.push({ path, code: "too_large", message: `longer than ${MAX_STRING_CHARS} characters` });
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) walk(item, path ? `${path}.${key}` : key);
    }
  };
  walk(data, "");
  if (details.length) throw unprocessable("The template variables are not acceptable.", details);
}

export async function renderTemplate(
  source: TemplateSource,
  context: Record<string, unknown>,
): Promise<Rendered> {
  const [subject, html, text] = await Promise.all([
    textEngine.parseAndRender(source.subject, context),
    htmlEngine.parseAndRender(source.bodyHtml, context),
    textEngine.parseAndRender(source.bodyText, context),
  ]);
  // A subject is one header line.
  return { subject: subject.replace(/[\r\n]+/g, " ").trim().slice(0, 998), html, text };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 300);
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&quot;": '"',
  "&#39;": "'",
  "&lt;": "<",
  "&gt;": ">",
};

/**
 * Rewrites the http(s) links of rendered HTML to tracked redirects and returns the original links by
 * position (the click endpoint redirects only to these). The HTML is our own template's output, so the
 * attribute form is the one liquid emits (double quotes, escaped entities); a full HTML parser would buy
 * nothing here. Links to the marketing function itself (confirm, unsubscribe) stay as they are.
 */
export function trackLinks(
  html: string,
  ownBase: string,
  redirectFor: (position: number) => string,
): { html: string; links: string[] } {
  const links: string[] = [];
  const rewritten = html.replace(/(<a\b[^>]*?\bhref\s*=\s*)"(https?:\/\/[^"]*)"/gi, (whole, prefix, href) => {
    const url = href.replace(/&(amp|quot|#39|lt|gt);/g, (entity: string) => ENTITIES[entity]);
    // Very long URLs stay untracked: the click token carries the URL and must fit a request line.
    if (url.startsWith(ownBase) || links.length >= 200 || url.length > 2000) return whole;
    links.push(url);
    return `${prefix}"${redirectFor(links.length - 1)}"`;
  });
  return { html: rewritten, links };
}
