// @ts-check
// Where the dashboard finds the project. Empty values mean the page's own origin (the local stack
// serves it at /dashboard/ on the API origin) and dev-token sign-in only. On a static host, set the
// project URL and its publishable (anon) key; both are public by design.
export const config = {
  supabaseUrl: "",
  anonKey: "",
};
