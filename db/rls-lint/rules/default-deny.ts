import { isFalseConstant, isNode, isOwnTableVar, textField, walk, type PgValue } from "../node-tree";
import { rlsLintSettings } from "../settings";
import type { Catalog, Finding, Policy, Relation, Rule } from "../types";

/**
 * Default deny: whatever the runtime roles can reach is either under forced RLS whose policies take
 * the tenant from the verified context, or listed as global on purpose (db/rls-lint/settings.ts).
 * These rules do not depend on recognising a tenant table by its column's name.
 */

const rowPrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE"];

function underForcedRls(relation: Relation | undefined): boolean {
  if (!relation) return false;
  if (relation.kind === "table" || relation.kind === "partitioned table") {
    return relation.rowSecurity && relation.forceRowSecurity;
  }
  // A security_invoker view reads with the caller's rights: its tables are checked on their own.
  return relation.kind === "view" && relation.options.includes("security_invoker=true");
}

export const reachableOutsideRls: Rule = {
  id: "runtime-role-reaches-table-outside-rls",
  checks:
    "every table or view app_user or agent_reader can read or write is under forced RLS (or a security_invoker view), or on the short list of global tables in db/rls-lint/settings.ts",
  run: (catalog) => {
    const byName = new Map([...catalog.relations.values()].map((r) => [r.qualified, r]));
    const global = new Set(rlsLintSettings.globalTables.map((t) => t.table));
    return catalog.roles
      .filter((r) => r.exists)
      .flatMap((role) =>
        [...role.privileges].flatMap(([qualified, { kind, privileges }]): Finding[] => {
          const granted = privileges.filter((p) => rowPrivileges.includes(p));
          if (kind === "sequence" || granted.length === 0) return [];
          if (global.has(qualified) || underForcedRls(byName.get(qualified))) return [];
          return [
            {
              rule: "runtime-role-reaches-table-outside-rls",
              object: `${kind} ${qualified}`,
              message: `${role.role} has ${granted.join(", ")} on it, and nothing but that grant decides which rows it reaches: it is neither under forced row level security nor listed as a global table`,
              fix: `give it a tenant column, ENABLE and FORCE ROW LEVEL SECURITY and a policy; or REVOKE ${granted.join(", ")} ON ${qualified} FROM PUBLIC, ${role.role}; or, if every tenant may see all of it, add it with its reason to globalTables in db/rls-lint/settings.ts`,
            },
          ];
        }),
      );
  },
};

const verifiedContext = new Set(["app.current_tenant_id", "app.current_user_id", "app_private.verified_context"]);

function orBranches(tree: PgValue): PgValue[] {
  if (isNode(tree) && tree.type === "BOOLEXPR" && tree.fields.boolop === "or" && Array.isArray(tree.fields.args)) {
    return tree.fields.args.flatMap(orBranches);
  }
  return [tree];
}

/** The context functions a branch calls, by name. */
function calledContextFunctions(catalog: Catalog, branch: PgValue): { names: Set<string>; readsRow: boolean } {
  const names = new Set<string>();
  let readsRow = false;
  walk(branch, (n, ancestors) => {
    if (n.type === "FUNCEXPR") {
      const name = catalog.contextFunctionOids.get(textField(n, "funcid"));
      if (name) names.add(name);
    }
    if (isOwnTableVar(n, ancestors)) readsRow = true;
  });
  return { names, readsRow };
}

export const tenantFromVerifiedContext: Rule = {
  id: "policy-tenant-not-from-verified-context",
  checks:
    "every branch of a permissive policy takes the tenant (or user) from the verified context functions, never from a setting SQL can change (current_setting) or from nothing",
  run: (catalog) => {
    const findings: Finding[] = [];
    const name = (p: Policy) => `policy ${p.name} on ${catalog.relations.get(p.tableOid)?.qualified ?? p.tableOid}`;
    for (const p of catalog.policies.filter((policy) => policy.permissive)) {
      for (const [clause, e] of [
        ["USING", p.using],
        ["WITH CHECK", p.withCheck],
      ] as const) {
        if (!e) continue;
        for (const branch of orBranches(e.tree)) {
          if (isFalseConstant(branch)) continue;
          const { names, readsRow } = calledContextFunctions(catalog, branch);
          // A branch that does not read the row is policy-always-true's finding.
          if (!readsRow) continue;
          const verified = [...names].some((n) => verifiedContext.has(n));
          const settable = names.has("pg_catalog.current_setting");
          if (verified && !settable) continue;
          findings.push({
            rule: "policy-tenant-not-from-verified-context",
            object: name(p),
            message: settable
              ? `${clause} reads a setting with current_setting(), which any SQL in the session can set: ${e.text}`
              : `${clause} has a branch that compares the row with something other than the verified context: ${e.text}`,
            fix: "compare the tenant column with (select app.current_tenant_id()) (or the user with (select app.current_user_id())), as tenantIsolation() in db/schema.ts does",
          });
          break;
        }
      }
    }
    return findings;
  },
};

export const defaultDenyRules: Rule[] = [reachableOutsideRls, tenantFromVerifiedContext];
