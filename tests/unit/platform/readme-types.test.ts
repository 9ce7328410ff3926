// The README's TypeScript examples use the generated database types and type-check against the current
// ones: each ```ts block is written to a scratch file (its ./types/database.ts import pointed at the
// checkout's) and checked with the project's deno.json, as `./dev check` checks the code.
import assert from "node:assert/strict";
import { ROOT } from "../../../supabase/local/stack.ts";

Deno.test("every TypeScript example in the README type-checks against types/database.ts", async () => {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  assert.ok(blocks.some((block) => block.includes("createClient<Database>")), "an example uses the types");
  const scratch = await Deno.makeTempDir({ prefix: "readme-types-" });
  try {
    const files: string[] = [];
    for (const [index, block] of blocks.entries()) {
      const file = `${scratch}/example-${index}.ts`;
      await Deno.writeTextFile(
        file,
        block.replaceAll('"./types/database.ts"', JSON.stringify(`${ROOT}/types/database.ts`)),
      );
      files.push(file);
    }
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", `${ROOT}/deno.json`, ...files],
      stdout: "null",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});
