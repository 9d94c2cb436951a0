import { intField, isOwnTableVar, textField, walk } from "../node-tree";
import type { Catalog, Finding, Rule, TenantTable } from "../types";

/** Queries under the policy can use an index: one leads with tenant_id, and the policy compares tenant_id with a value of its own type. */

export const tenantIndex: Rule = {
  id: "tenant-index-missing",
  checks: "every tenant table has an index whose first column is tenant_id",
  run: (catalog) =>
    catalog.tenantTables
      .filter(
        (t) =>
          t.tenantColumn &&
          !catalog.indexes.some((i) => i.tableOid === t.oid && i.valid && i.keyColumns[0] === t.tenantColumn!.attnum),
      )
      .map((t) => ({
        rule: "tenant-index-missing",
        object: `table ${t.qualified}`,
        message: `no index leads with ${t.tenantColumn!.name}: every policy-filtered query scans the rows of all tenants`,
        fix: `put ${t.tenantColumn!.name} first in the primary key (tenantIdColumn() then the id), or add index(…).on(t.tenantId, …)`,
      })),
};

const coercions = new Set(["RELABELTYPE", "COERCEVIAIO", "ARRAYCOERCEEXPR", "COERCETODOMAIN", "CONVERTROWTYPEEXPR"]);
const comparisons = new Set(["OPEXPR", "SCALARARRAYOPEXPR", "DISTINCTEXPR", "NULLIFEXPR"]);

function mismatches(catalog: Catalog, table: TenantTable, tree: Parameters<typeof walk>[0]): string[] {
  const column = table.tenantColumn!;
  const problems: string[] = [];
  walk(tree, (n, ancestors) => {
    if (!isOwnTableVar(n, ancestors) || intField(n, "varattno") !== column.attnum) return;
    const parent = ancestors.at(-1);
    if (!parent) return;
    // Casts: explicit (funcformat 1) and implicit (2) cast functions, and the cast nodes.
    if (coercions.has(parent.type) || (parent.type === "FUNCEXPR" && [1, 2].includes(intField(parent, "funcformat")))) {
      problems.push(`${column.name} is cast before the comparison`);
    } else if (comparisons.has(parent.type)) {
      const op = catalog.operators.get(textField(parent, "opno"));
      if (op && (op.left !== column.typeOid || op.right !== column.typeOid))
        problems.push(`${column.name} (${column.type}) is compared with operator ${op.name} across types`);
    }
  });
  return problems;
}

export const tenantComparisonType: Rule = {
  id: "policy-tenant-type-mismatch",
  checks:
    "policies compare tenant_id with a value of the same type (a cast or cross-type comparison keeps the index from being used)",
  run: (catalog) => {
    const findings: Finding[] = [];
    for (const table of catalog.tenantTables.filter((t) => t.tenantColumn)) {
      for (const p of catalog.policies.filter((policy) => policy.tableOid === table.oid)) {
        for (const e of [p.using, p.withCheck]) {
          if (!e) continue;
          for (const problem of new Set(mismatches(catalog, table, e.tree))) {
            findings.push({
              rule: "policy-tenant-type-mismatch",
              object: `policy ${p.name} on ${table.qualified}`,
              message: `${problem}: the tenant_id index cannot serve the policy (${e.text})`,
              fix: `compare ${table.tenantColumn!.name} with a ${table.tenantColumn!.type} value, e.g. (select app.current_tenant_id()), which returns uuid`,
            });
          }
        }
      }
    }
    return findings;
  },
};

export const tenantIndexRules: Rule[] = [tenantIndex, tenantComparisonType];
