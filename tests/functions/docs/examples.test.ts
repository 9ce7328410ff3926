// Every fenced `sh` example with a curl call in the README and docs/api/*.md runs as written against
// the local stack, with the variables `./dev start` exports in .local/instance-N/env.sh. curl runs
// with --fail-with-body, so an example the API rejects (4xx, 5xx) fails here with the answer shown;
// so does one whose items come back in a "rejected" list (tracking answers 202 with per-item
// rejections, e.g. an event too old or an invalid id).
import assert from "node:assert/strict";
import { anonKey, config, FUNCTIONS_URL, serviceRoleKey, tokenFor } from "../../support/harness.ts";
import { ROOT } from "../../../supabase/local/stack.ts";

interface Example {
  file: string;
  line: number;
  script: string;
}

async function examples(): Promise<Example[]> {
  const files = ["README.md"];
  for await (const entry of Deno.readDir(`${ROOT}/docs/api`)) {
    if (entry.isFile && entry.name.endsWith(".md")) files.push(`docs/api/${entry.name}`);
  }
  const found: Example[] = [];
  for (const file of files.sort()) {
    const text = await Deno.readTextFile(`${ROOT}/${file}`);
    for (const match of text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
      if (!/\bcurl\b/.test(match[1])) continue;
      found.push({ file, line: text.slice(0, match.index).split("\n").length, script: match[1] });
    }
  }
  return found;
}

const env: Record<string, string> = {
  SUPABASE_URL: config.apiUrl,
  FUNCTIONS_URL,
  SUPABASE_DB_URL: config.dbUrl,
  ANON_KEY: await anonKey(),
  SERVICE_ROLE_KEY: await serviceRoleKey(),
  SUPABASE_ANON_KEY: await anonKey(),
  SUPABASE_SERVICE_ROLE_KEY: await serviceRoleKey(),
  UPSTASH_REDIS_REST_URL: config.bridgeUrl,
  UPSTASH_REDIS_REST_TOKEN: config.bridgeToken,
};
for (const user of ["admin", "analyst", "sales", "support", "customer"] as const) {
  env[`${user.toUpperCase()}_TOKEN`] = await tokenFor(user, { expiresIn: 600 });
}

const found = await examples();

Deno.test("the docs have runnable curl examples", () => {
  assert.ok(found.length >= 5, `only ${found.length} sh examples with curl found`);
});

for (const example of found) {
  Deno.test(`${example.file}:${example.line} runs as written`, async () => {
    const prelude = 'curl() { command curl --fail-with-body --max-time 20 "$@"; }\nset -e\n';
    const output = await new Deno.Command("sh", {
      args: ["-c", prelude + example.script],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    assert.ok(
      output.success,
      `${example.file}:${example.line} failed:\n${example.script}\n--- output\n${text}`,
    );
    assert.doesNotMatch(
      text,
      /"rejected":\[\{/,
      `${example.file}:${example.line} had items rejected:\n${text}`,
    );
  });
}
