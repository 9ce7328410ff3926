// The metrics buffer as a pure unit against a recording Redis pipeline: request samples and other
// counters gathered between flushes leave in one pipeline, summed.
import assert from "node:assert/strict";
import type { Redis } from "@upstash/redis";
import { MetricsBuffer } from "../../../shared/metrics.ts";

function recordingRedis() {
  const pipelines: Array<Array<[string, string, string, number]>> = [];
  const redis = {
    pipeline() {
      const commands: Array<[string, string, string, number]> = [];
      pipelines.push(commands);
      const pipeline = {
        hincrby: (
          key: string,
          field: string,
          by: number,
        ) => (commands.push(["hincrby", key, field, by]), pipeline),
        hincrbyfloat: (key: string, field: string, by: number) => (
          commands.push(["hincrbyfloat", key, field, by]), pipeline
        ),
        exec: () => Promise.resolve([]),
      };
      return pipeline;
    },
  };
  return { redis: redis as unknown as Redis, pipelines };
}

Deno.test("counters and request samples between two flushes leave in one pipeline, summed", async () => {
  const { redis, pipelines } = recordingRedis();
  const buffer = new MetricsBuffer(() => redis, 60_000);
  buffer.increment("tracking:shed", "events");
  buffer.increment("tracking:shed", "events");
  buffer.increment("tracking:shed", "metrics", 3);
  buffer.record({ fn: "track", method: "POST", route: "/events", status: 202, durationMs: 4 });
  await buffer.flush();
  assert.equal(pipelines.length, 1);
  const counters = pipelines[0].filter(([, key]) => key === "tracking:shed");
  assert.deepEqual(counters, [
    ["hincrby", "tracking:shed", "events", 2],
    ["hincrby", "tracking:shed", "metrics", 3],
  ]);
  assert.ok(pipelines[0].some(([, key]) => key === "metrics:http:count"), "the request sample went too");
  await buffer.flush();
  assert.equal(pipelines.length, 1, "nothing gathered, nothing sent");
});

Deno.test("a counter alone is flushed", async () => {
  const { redis, pipelines } = recordingRedis();
  const buffer = new MetricsBuffer(() => redis, 60_000);
  buffer.increment("tracking:shed", "snapshots");
  await buffer.flush();
  assert.deepEqual(pipelines, [[["hincrby", "tracking:shed", "snapshots", 1]]]);
});
