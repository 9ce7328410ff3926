// The dashboard is type-checked against the generated database types (types/database.ts): every file is
// `// @ts-check` JavaScript with JSDoc types drawn from `Database`, and `deno check` (in `./dev check`)
// fails when a column or RPC field a panel reads is renamed in the schema.
import assert from "node:assert/strict";
import { ROOT } from "../../../supabase/local/stack.ts";

async function dashboardFiles(dir = `${ROOT}/dashboard`, relative = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === "vendor") continue; // the npm packages' browser builds (install.sh)
    const path = `${relative}${entry.name}`;
    if (entry.isDirectory) files.push(...await dashboardFiles(`${dir}/${entry.name}`, `${path}/`));
    else if (entry.name.endsWith(".js")) files.push(path);
  }
  return files.sort();
}

/** A copy of dashboard/ and types/ in a scratch directory, with `edit` applied to the types. */
async function scratchCopy(edit: (types: string) => string): Promise<string> {
  const scratch = await Deno.makeTempDir({ prefix: "dashboard-types-" });
  for (const file of await dashboardFiles()) {
    await Deno.mkdir(`${scratch}/dashboard/${file}`.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.copyFile(`${ROOT}/dashboard/${file}`, `${scratch}/dashboard/${file}`);
  }
  await Deno.mkdir(`${scratch}/types`);
  const types = await Deno.readTextFile(`${ROOT}/types/database.ts`);
  const edited = edit(types);
  await Deno.writeTextFile(`${scratch}/types/database.ts`, edited);
  return scratch;
}

async function check(scratch: string): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    // The project's deno.json resolves @supabase/supabase-js and chart.js as for `./dev check`.
    args: ["check", "--quiet", "--config", `${ROOT}/deno.json`, `${scratch}/dashboard/app.js`],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, output: decode(stdout) + decode(stderr) };
}

/** Renames `field` inside the first block that starts at `anchor`, failing when either is missing. */
function renameIn(types: string, anchor: string, field: string, renamed: string): string {
  const start = types.indexOf(anchor);
  assert.ok(start >= 0, `types/database.ts has ${anchor}`);
  const at = types.indexOf(`${field}:`, start);
  assert.ok(at > start, `${anchor} has ${field}`);
  return types.slice(0, at) + `${renamed}:` + types.slice(at + field.length + 1);
}

Deno.test("every dashboard file is type-checked JavaScript", async () => {
  const files = await dashboardFiles();
  assert.ok(files.includes("app.js") && files.includes("panels/commerce.js"), files.join(", "));
  for (const file of files) {
    const text = await Deno.readTextFile(`${ROOT}/dashboard/${file}`);
    assert.match(text, /^\/\/ @ts-check\n/, `${file} starts with // @ts-check`);
    assert.doesNotMatch(text, /@ts-(nocheck|ignore)/, `${file} switches no check off`);
  }
});

// `./dev check` checks the dashboard against the current types; a scratch copy shows a stale one fails,
// at the line that reads the renamed column (one check: each costs seconds of CPU).
Deno.test("a column renamed in the generated types fails the dashboard's type check", async () => {
  const stale = await scratchCopy((types) =>
    renameIn(
      renameIn(types, "      revenue_by_day: {", "revenue_minor", "revenue_total_minor"),
      "      stock_alerts: {\n        Row: {",
      "raised_at",
      "opened_at",
    )
  );
  try {
    const broken = await check(stale);
    assert.notEqual(broken.code, 0, "a stale column must fail the check");
    assert.match(broken.output, /'revenue_minor' does not exist/);
    assert.match(broken.output, /dashboard\/panels\/commerce\.js/);
    assert.match(broken.output, /'raised_at' does not exist|"raised_at"/);
  } finally {
    await Deno.remove(stale, { recursive: true });
  }
});
