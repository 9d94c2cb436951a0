/**
 * What the RLS lint takes as given about this project. A clone that renames the tenants table, the
 * tenant column or the runtime roles changes it here (the allow-listed SECURITY DEFINER functions
 * live next door, in allowed-definer-functions.ts).
 */
export const rlsLintSettings: {
  tenantColumn: string;
  tenantsTable: { schema: string; name: string };
  roles: RuntimeRoles;
  contextFunctions: string[];
  globalUniqueKeys: { index: string; why: string }[];
  globalTables: { table: string; why: string }[];
} = {
  /** A "tenant table" has this column, or a foreign key to the tenants table. */
  tenantColumn: "tenant_id",
  tenantsTable: { schema: "public", name: "tenants" },
  /** The roles subject to RLS that the app and agent SQL connect as. */
  roles: { app: "app_user", agent: "agent_reader" },
  /**
   * Functions whose value is the same for every row of a query: a policy must call them through
   * `(select …)` so PostgreSQL evaluates them once (an InitPlan), not once per row.
   */
  contextFunctions: [
    "pg_catalog.current_setting",
    "app.current_tenant_id",
    "app.current_user_id",
    "app_private.verified_context",
  ],
  /**
   * Unique keys of tenant tables that are global on purpose, by index name ("schema.index_name"). Only
   * for values that are random secrets (say, the hash of an API key), where a collision tells nothing
   * about another tenant. One line each, with the reason.
   */
  globalUniqueKeys: [
    {
      index: "public.api_keys_secret_hash_key",
      why: "SHA-256 of a 256-bit random key: resolved before any tenant is known, never collides by chance",
    },
    {
      index: "public.invitations_token_hash_key",
      why: "SHA-256 of a random invitation secret: looked up by the link before the invitee belongs to the tenant",
    },
  ],
  /**
   * Tables and views the runtime roles may reach without forced row level security: the same rows for
   * every tenant, on purpose. Everything else they can read or write must be under forced RLS (rule
   * runtime-role-reaches-table-outside-rls). One line each, with the reason; keep it short.
   */
  globalTables: [
    {
      table: "drizzle.__drizzle_migrations",
      why: "applied migrations (hash, time): no tenant data; readiness compares the newest with the build's",
    },
  ],
};

export interface RuntimeRoles {
  app: string;
  agent: string;
}
