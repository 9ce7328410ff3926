// The one analytics window convention of every module: `range=24h|7d|30d|90d` ending now, or explicit
// `from`/`to` (ISO 8601 with offset; `to` defaults to now), at most 400 days. SQL RPCs take the
// resolved [from, to) pair and check it again with private.require_window.
import { z } from "zod";
import { unprocessable } from "./errors.ts";

export const RANGES = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24, "90d": 90 * 24 } as const;
const MAX_SPAN_MS = 400 * 24 * 3600 * 1000;

export const WindowQuery = z.object({
  range: z.enum(Object.keys(RANGES) as [keyof typeof RANGES]).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type WindowInput = z.infer<typeof WindowQuery>;

export interface Window {
  from: Date;
  to: Date;
}

/** range=24h|7d|30d|90d ending now, or explicit from/to (to defaults to now); 24h by default. */
export function resolveWindow(input: WindowInput, now = new Date()): Window {
  if (input.range && (input.from || input.to)) {
    throw unprocessable("Give either range or from/to, not both.", [{
      path: "range",
      message: "conflicts with from/to",
    }]);
  }
  const to = input.to ? new Date(input.to) : now;
  const from = input.from
    ? new Date(input.from)
    : new Date(to.getTime() - RANGES[input.range ?? "24h"] * 3600 * 1000);
  if (from >= to) {
    throw unprocessable("from must be before to.", [{ path: "from", message: "must be before to" }]);
  }
  if (to.getTime() - from.getTime() > MAX_SPAN_MS) {
    throw unprocessable("The window may span at most 400 days.", [{
      path: "from",
      message: "window too long",
    }]);
  }
  return { from, to };
}
