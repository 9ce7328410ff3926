// The tracking module's settings (ingest tuning, docs/api/tracking.md), validated by its own schema
// rather than the kernel's: unset means the defaults measured for this workload.
import { z } from "zod";
import { parseSettings } from "../env.ts";

const positive = () => z.coerce.number().int().positive();

export const TrackingSettingsSchema = z.object({
  /** Opens the ingest breaker when the p95 of its window exceeds this (ms). */
  TRACKING_BREAKER_P95_MS: positive().optional(),
  /** How long an open breaker sheds before it probes (ms). */
  TRACKING_BREAKER_OPEN_MS: positive().optional(),
  /** An ingest call slower than this counts as a failure (ms). */
  TRACKING_INGEST_TIMEOUT_MS: positive().optional(),
  /** Ingest calls in flight per isolate; more are shed. */
  TRACKING_MAX_IN_FLIGHT: positive().optional(),
  /** Coalesced event calls in flight per isolate (one measured best on 2 cores). */
  TRACKING_COALESCE_CALLS: positive().default(1),
  /** Events per coalesced call. */
  TRACKING_COALESCE_MAX_EVENTS: positive().max(50_000).default(2000),
});

export type TrackingSettings = z.infer<typeof TrackingSettingsSchema>;

export function parseTrackingSettings(source: Record<string, string | undefined>): TrackingSettings {
  return parseSettings(TrackingSettingsSchema, source);
}

let cached: TrackingSettings | undefined;

/** This isolate's tracking settings. */
export function trackingSettings(): TrackingSettings {
  cached ??= parseTrackingSettings(Deno.env.toObject());
  return cached;
}
