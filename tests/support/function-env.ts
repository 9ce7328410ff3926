// For tests that drive shared modules in-process: gives this process the same environment the
// local gateway gives every function. Import it before anything that reads shared/env.ts.
import { functionEnv, stackConfig } from "../../supabase/local/stack.ts";

for (const [name, value] of Object.entries(await functionEnv(stackConfig()))) Deno.env.set(name, value);
