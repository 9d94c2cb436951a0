import type { Catalog, Finding, Policy, Rule } from "../types";

/** Every tenant table has RLS enabled and forced, a policy, and each policy states USING and WITH CHECK where it applies. */

const policyName = (catalog: Catalog, p: Policy) =>
  `policy ${p.name} on ${catalog.relations.get(p.tableOid)?.qualified ?? p.tableOid}`;
const tenantTablePolicies = (catalog: Catalog) => {
  const tenantOids = new Set(catalog.tenantTables.map((t) => t.oid));
  return catalog.policies.filter((p) => tenantOids.has(p.tableOid));
};

export const rlsEnabled: Rule = {
  id: "rls-not-enabled",
  checks: "every tenant table has ROW LEVEL SECURITY enabled",
  run: (catalog) =>
    catalog.tenantTables
      .filter((t) => !t.rowSecurity)
      .map((t) => ({
        rule: "rls-not-enabled",
        object: `table ${t.qualified}`,
        message:
          "tenant table without row level security: every role with a grant on it reads and writes every tenant's rows",
        fix: `ALTER TABLE ${t.qualified} ENABLE ROW LEVEL SECURITY (drizzle-kit emits it when the table has a policy: add tenantIsolation())`,
      })),
};

export const rlsForced: Rule = {
  id: "rls-not-forced",
  checks: "every tenant table has FORCE ROW LEVEL SECURITY, so its owner is subject to the policies too",
  run: (catalog) =>
    catalog.tenantTables
      .filter((t) => !t.forceRowSecurity)
      .map((t) => ({
        rule: "rls-not-forced",
        object: `table ${t.qualified}`,
        message: `tenant table without FORCE ROW LEVEL SECURITY: its owner (${t.owner}) and anything running with the owner's rights skip the policies`,
        fix: `ALTER TABLE ${t.qualified} FORCE ROW LEVEL SECURITY in a custom migration (npx drizzle-kit generate --custom)`,
      })),
};

export const rlsPolicyPresent: Rule = {
  id: "rls-no-policy",
  checks: "every tenant table has at least one policy",
  run: (catalog) =>
    catalog.tenantTables
      .filter((t) => !catalog.policies.some((p) => p.tableOid === t.oid))
      .map((t) => ({
        rule: "rls-no-policy",
        object: `table ${t.qualified}`,
        message: "tenant table without a policy: nothing states which tenant's rows a query may touch",
        fix: "add tenantIsolation() (tenant_id = (select app.current_tenant_id()), USING and WITH CHECK) to its pgTable in db/schema.ts",
      })),
};

const readsRows = (p: Policy) => p.command !== "INSERT";
const writesRows = (p: Policy) => p.command === "INSERT" || p.command === "UPDATE" || p.command === "ALL";

export const policyUsing: Rule = {
  id: "policy-missing-using",
  checks: "every SELECT, UPDATE, DELETE or ALL policy on a tenant table has a USING expression",
  run: (catalog) =>
    tenantTablePolicies(catalog)
      .filter((p) => readsRows(p) && p.using === null)
      .map((p): Finding => ({
        rule: "policy-missing-using",
        object: policyName(catalog, p),
        message: `${p.command} policy without USING: which existing rows it applies to is not stated`,
        fix: "give the policy a USING expression comparing tenant_id with (select app.current_tenant_id())",
      })),
};

export const policyWithCheck: Rule = {
  id: "policy-missing-with-check",
  checks: "every INSERT, UPDATE or ALL policy on a tenant table has an explicit WITH CHECK expression",
  run: (catalog) =>
    tenantTablePolicies(catalog)
      .filter((p) => writesRows(p) && p.withCheck === null)
      .map((p): Finding => ({
        rule: "policy-missing-with-check",
        object: policyName(catalog, p),
        message:
          p.command === "INSERT"
            ? "INSERT policy without WITH CHECK: the rows it lets a write create are not stated"
            : `${p.command} policy without WITH CHECK: PostgreSQL silently reuses USING for the rows a write creates; state it`,
        fix: "give the policy a WITH CHECK expression comparing tenant_id with (select app.current_tenant_id())",
      })),
};

export const rowSecurityRules: Rule[] = [rlsEnabled, rlsForced, rlsPolicyPresent, policyUsing, policyWithCheck];
