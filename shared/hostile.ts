// Input no field can hold, refused as a 4xx before it reaches a handler or the database: NUL
// characters (PostgreSQL text and jsonb cannot store them), lone UTF-16 surrogates (not Unicode; jsonb
// refuses their escapes), and nesting deeper than any schema of ours (a 1 MiB body of brackets would
// otherwise exhaust the stack of whatever walks it). The walks here are iterative for that reason.
import type { z } from "zod";

export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be accepted, or null when it can. */
export function hostileText(text: string): string | null {
  if (text.includes("\u0000")) return "must not contain NUL characters";
  if (LONE_SURROGATE.test(text)) return "must not contain lone UTF-16 surrogates";
  return null;
}

export interface HostileIssue {
  path: (string | number)[];
  message: string;
}

/** Every string (and object key) of a parsed value that cannot be accepted, and excessive nesting. */
export function hostileIssues(value: unknown, maxDepth = MAX_JSON_DEPTH): HostileIssue[] {
  const issues: HostileIssue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length && issues.length < 20) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === "string") {
      const problem = hostileText(current);
      if (problem) issues.push({ path, message: problem });
    } else if (current !== null && typeof current === "object") {
      if (path.length >= maxDepth) {
        issues.push({ path, message: `nested deeper than ${maxDepth} levels` });
        continue;
      }
      const entries = Array.isArray(current) ? current.entries() : Object.entries(current);
      for (const [key, child] of entries) {
        if (typeof key === "string") {
          const problem = hostileText(key);
          if (problem) issues.push({ path: [...path, key], message: `key ${problem}` });
        }
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return issues;
}

/** A zod refinement adding hostileIssues as issues (for route() to put on every declared schema). */
export function refuseHostile(value: unknown, ctx: z.core.$RefinementCtx): void {
  for (const issue of hostileIssues(value)) {
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: value });
  }
}

/**
 * Whether JSON text nests deeper than `max` (brackets outside strings), scanned before parsing so no
 * parser or walker ever sees such a document.
 */
export function jsonNestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92) i++; // backslash: skip the escaped character
      else if (char === 34) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 91 || char === 123) {
      if (++depth > max) return true;
    } else if (char === 93 || char === 125) depth--;
  }
  return false;
}
