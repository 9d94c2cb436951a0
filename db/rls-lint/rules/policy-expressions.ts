import {
  intField,
  isFalseConstant,
  isNode,
  isOwnTableVar,
  textField,
  walk,
  type PgNode,
  type PgValue,
} from "../node-tree";
import type { Catalog, Finding, Policy, PolicyCommand, Rule } from "../types";

/** What a policy's expressions say: context read once per query, no branch that admits every row, one permissive policy per role and command. */

const policyName = (catalog: Catalog, p: Policy) =>
  `policy ${p.name} on ${catalog.relations.get(p.tableOid)?.qualified ?? p.tableOid}`;
const expressions = (p: Policy) => [
  ...(p.using ? [{ clause: "USING", ...p.using }] : []),
  ...(p.withCheck ? [{ clause: "WITH CHECK", ...p.withCheck }] : []),
];

/**
 * `(select f())` is a sub-select without FROM that reads nothing of the outer row: PostgreSQL runs
 * it once per query (an InitPlan). Anywhere else (bare in the expression, or inside a sub-select
 * that scans a table or reads the outer row) the call is evaluated again for every row.
 */
function evaluatedOncePerQuery(ancestors: PgNode[]): boolean {
  const queryAt = ancestors.map((a) => a.type).lastIndexOf("QUERY");
  if (queryAt < 0) return false;
  const query = ancestors[queryAt]!;
  if (query.fields.rtable !== null) return false;
  let correlated = false;
  walk(query, (n, inner) => {
    // inner starts with the sub-select itself: a Var climbing that many levels reads the outer row.
    if (n.type === "VAR" && intField(n, "varlevelsup") >= inner.filter((a) => a.type === "QUERY").length)
      correlated = true;
  });
  return !correlated;
}

export const contextCallWrapped: Rule = {
  id: "policy-context-not-wrapped",
  checks: "policies call current_setting() and the context functions as (select …), once per query, not once per row",
  run: (catalog) => {
    const findings: Finding[] = [];
    // Citus refuses any sub-select in a policy on a distributed table: there the bare call is the only
    // form (db/isolation.ts), evaluated once per query when it is an index condition on tenant_id.
    for (const p of catalog.policies.filter((x) => !catalog.distributedTableOids.has(x.tableOid))) {
      for (const e of expressions(p)) {
        const unwrapped = new Set<string>();
        walk(e.tree, (n, ancestors) => {
          const fn = n.type === "FUNCEXPR" ? catalog.contextFunctionOids.get(textField(n, "funcid")) : undefined;
          if (fn && !evaluatedOncePerQuery(ancestors)) unwrapped.add(fn);
        });
        for (const fn of unwrapped) {
          findings.push({
            rule: "policy-context-not-wrapped",
            object: policyName(catalog, p),
            message: `${e.clause} calls ${fn}() outside a (select …) wrapper, so it runs once per row instead of once per query: ${e.text}`,
            fix: `wrap the call in a sub-select, e.g. tenant_id = (select app.current_tenant_id()), as tenantIsolation() in db/schema.ts does`,
          });
        }
      }
    }
    return findings;
  },
};

/** The branches of a top-level OR (the whole expression when it is not an OR). */
function orBranches(tree: PgValue): PgValue[] {
  if (isNode(tree) && tree.type === "BOOLEXPR" && tree.fields.boolop === "or" && Array.isArray(tree.fields.args)) {
    return tree.fields.args.flatMap(orBranches);
  }
  return [tree];
}

function readsTheRow(branch: PgValue): boolean {
  let reads = false;
  walk(branch, (n, ancestors) => {
    if (isOwnTableVar(n, ancestors)) reads = true;
  });
  return reads;
}

function comparesColumnWithItself(branch: PgValue): boolean {
  if (
    !isNode(branch) ||
    branch.type !== "OPEXPR" ||
    !Array.isArray(branch.fields.args) ||
    branch.fields.args.length !== 2
  )
    return false;
  const [a, b] = branch.fields.args;
  return (
    isNode(a) &&
    isNode(b) &&
    a.type === "VAR" &&
    b.type === "VAR" &&
    intField(a, "varattno") === intField(b, "varattno") &&
    intField(a, "varlevelsup") === intField(b, "varlevelsup")
  );
}

export const alwaysTrue: Rule = {
  id: "policy-always-true",
  checks:
    "no permissive policy has an expression (or an OR branch) that does not depend on the row, such as true or an admin flag",
  run: (catalog) => {
    const findings: Finding[] = [];
    for (const p of catalog.policies.filter((policy) => policy.permissive)) {
      for (const e of expressions(p)) {
        const open = orBranches(e.tree).filter(
          (b) => !isFalseConstant(b) && (!readsTheRow(b) || comparesColumnWithItself(b)),
        );
        if (open.length === 0) continue;
        findings.push({
          rule: "policy-always-true",
          object: policyName(catalog, p),
          message: `${e.clause} admits every row whenever it admits one (a branch that does not depend on the row, or compares a column with itself): ${e.text}`,
          fix: "compare the row's tenant_id with (select app.current_tenant_id()); do cross-tenant access with the BYPASSRLS platform_admin role, not a policy branch",
        });
      }
    }
    return findings;
  },
};

const concreteCommands: Exclude<PolicyCommand, "ALL">[] = ["SELECT", "INSERT", "UPDATE", "DELETE"];

export const onePermissivePolicy: Rule = {
  id: "policy-multiple-permissive",
  checks: "at most one permissive policy applies to each role and command of a table",
  run: (catalog) => {
    const findings: Finding[] = [];
    const tables = [...new Set(catalog.policies.map((p) => p.tableOid))];
    for (const table of tables) {
      for (const command of concreteCommands) {
        const applying = catalog.policies.filter(
          (p) => p.tableOid === table && p.permissive && (p.command === command || p.command === "ALL"),
        );
        const roles = new Set(applying.flatMap((p) => p.roles));
        const reported = new Set<string>();
        for (const role of roles) {
          const overlapping = applying.filter((p) => p.roles.includes(role) || p.roles.includes("public"));
          const key = overlapping.map((p) => p.name).join(", ");
          if (overlapping.length < 2 || reported.has(key)) continue;
          reported.add(key);
          findings.push({
            rule: "policy-multiple-permissive",
            object: `table ${catalog.relations.get(table)?.qualified ?? table}`,
            message: `${overlapping.length} permissive ${command} policies apply to ${role === "public" ? "every role" : `role ${role}`} (${key}): PostgreSQL ORs them, so each widens what the others allow`,
            fix: "merge them into one policy per command, or make the additional ones AS RESTRICTIVE",
          });
        }
      }
    }
    return findings;
  },
};

export const policyExpressionRules: Rule[] = [contextCallWrapped, alwaysTrue, onePermissivePolicy];
