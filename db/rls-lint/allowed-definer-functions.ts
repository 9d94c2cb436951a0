/**
 * The SECURITY DEFINER functions that the runtime roles may execute. A definer function runs with
 * its owner's rights, so it bypasses RLS: each one here is a deliberate, narrow door, and the RLS lint
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
  {
    signature: "app.current_tenant_id()",
    roles: ["app_user", "agent_reader"],
    why: "verifies the signed context; every policy calls it",
  },
  {
    signature: "app.current_user_id()",
    roles: ["app_user", "agent_reader"],
    why: "verifies the signed context; user-scoped policies call it",
  },
  {
    signature: "app.record_agent_sql_call(text, jsonb)",
    roles: ["agent_reader"],
    why: "agent SQL's audit row in the statement's round trip; agent_reader may not insert, and the tenant is the verified context's",
  },
  {
    signature: "app.record_agent_sql_outcome(bigint, jsonb)",
    roles: ["agent_reader"],
    why: "fills in a pending agent SQL audit row's outcome once; no role may update audit rows otherwise",
  },
  // Accounts and teams: steps that run before any tenant or user context exists.
  {
    signature: "app.sign_in(text, text, text)",
    roles: ["app_user"],
    why: "throttled sign-in (per account and per address), before any tenant is known; returns only a user id",
  },
  {
    signature: "app.sign_up(text, text, text, text)",
    roles: ["app_user"],
    why: "creates a user, their tenant and the owner membership, before any context exists",
  },
  {
    signature: "app.change_password(text, text)",
    roles: ["app_user"],
    why: "password hashes are not readable by app_user; acts on the signed context's user only",
  },
  {
    signature: "app.invitation_by_token(text)",
    roles: ["app_user"],
    why: "an invitee reads the invitation by its secret before belonging to the tenant",
  },
  {
    signature: "app.accept_invitation_as_new_user(text, text, text)",
    roles: ["app_user"],
    why: "creates the invitee's account and membership from the invitation secret",
  },
  {
    signature: "app.external_sign_in(text, text, text)",
    roles: ["app_user"],
    why: "OAuth sign-in: links a verified email to its user, before any tenant is known; refuses without the server's HMAC proof that the provider vouched for the address",
  },
  {
    signature: "app.create_magic_link(text, text, text)",
    roles: ["app_user"],
    why: "email magic links: stores the link's MAC for an email, before any context exists, throttled per address and per client in shared buckets",
  },
  {
    signature: "app.consume_magic_link(text)",
    roles: ["app_user"],
    why: "email magic links: single-use, returns only a user id",
  },
  {
    signature: "app.resolve_api_key(text, integer, integer)",
    roles: ["app_user"],
    why: "API-key authentication, before any tenant is known; returns only the key's tenant and id, and spends from its shared rate-limit bucket",
  },
  // Server-side sessions: per user, not per tenant; the table is readable by no runtime role.
  {
    signature: "app.open_session(integer)",
    roles: ["app_user"],
    why: "opens a session row for the signed context's user (never a user named by an argument)",
  },
  {
    signature: "app.touch_session(uuid, integer)",
    roles: ["app_user"],
    why: "checks and slides one of the signed context's user's sessions, inside the membership lookup",
  },
  {
    signature: "app.end_session(uuid)",
    roles: ["app_user"],
    why: "sign-out: ends one of the signed context's user's sessions",
  },
  {
    signature: "app.end_other_sessions(uuid)",
    roles: ["app_user"],
    why: "sign out other devices / password change: ends the signed context's user's other sessions",
  },
  {
    signature: "app.revoke_sessions_of(text)",
    roles: ["platform_admin"],
    why: "a platform admin's revoke, after the app-level flag check and in the audited transaction",
  },
  {
    signature: "app.matching_conversation_ids(tsquery, timestamp with time zone, uuid, integer)",
    roles: ["app_user"],
    why: "full-text match as an index condition (@@ is not LEAKPROOF, so under RLS it could only filter), newest first from a keyset position; scoped to the verified tenant",
  },
  {
    signature: "app.conversation_search_page(tsquery, timestamp with time zone, uuid, integer)",
    roles: ["app_user"],
    why: "one search page with the list's columns, newest first from a keyset position, stopping when the page is full (GIN only for rare words in large tenants); scoped to the verified tenant",
  },
];
