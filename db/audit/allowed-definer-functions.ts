/**
 * The SECURITY DEFINER functions that the runtime roles may execute. A definer function runs with
 * its owner's rights, so it bypasses RLS: each one here is a deliberate, narrow door, and the audit
 * fails on any other definer function that app_user or agent_reader can execute.
 *
 * Adding an entry point (an API-key lookup, a sign-up function) is one line: its signature as
 * `schema.name(argument types)`, the roles that may call it, and why it must bypass RLS.
 */
export interface AllowedDefinerFunction {
  signature: string;
  roles: string[];
  why: string;
}

export const allowedDefinerFunctions: AllowedDefinerFunction[] = [
  { signature: "app.current_tenant_id()", roles: ["app_user", "agent_reader"], why: "verifies the signed context; every policy calls it" },
  { signature: "app.current_user_id()", roles: ["app_user", "agent_reader"], why: "verifies the signed context; user-scoped policies call it" },
  { signature: "app.authenticate(text, text)", roles: ["app_user"], why: "sign-in, before any tenant is known; returns only a user id" },
  { signature: "app.resolve_api_key(text)", roles: ["app_user"], why: "API-key authentication, before any tenant is known; returns only the key's tenant and id" },
  {
    signature: "app.matching_conversation_ids(tsquery)",
    roles: ["app_user"],
    why: "full-text match as an index condition (@@ is not LEAKPROOF, so under RLS it could only filter); scoped to the verified tenant",
  },
];
