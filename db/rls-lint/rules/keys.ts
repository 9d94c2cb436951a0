import type { Catalog, Rule, TenantTable } from "../types";

/** Keys are scoped by tenant: foreign keys between tenant tables include tenant_id, and so do unique keys on tenant data. */

const byOid = (catalog: Catalog) => new Map(catalog.tenantTables.map((t) => [t.oid, t]));
const columnNames = (table: TenantTable | undefined, attnums: number[]) =>
  attnums.map((n) => table?.columns.find((c) => c.attnum === n)?.name ?? "(expression)").join(", ");

export const foreignKeysThroughTenant: Rule = {
  id: "tenant-fk-without-tenant-id",
  checks: "every foreign key between tenant tables includes tenant_id on both sides, matched column to column",
  run: (catalog) => {
    const tenantTables = byOid(catalog);
    return catalog.foreignKeys
      .filter((fk) => {
        const child = tenantTables.get(fk.tableOid);
        const parent = tenantTables.get(fk.referencedOid);
        if (!child?.tenantColumn || !parent?.tenantColumn) return false;
        const at = fk.columns.indexOf(child.tenantColumn.attnum);
        return at < 0 || fk.referencedColumns[at] !== parent.tenantColumn.attnum;
      })
      .map((fk) => {
        const child = tenantTables.get(fk.tableOid)!;
        const parent = tenantTables.get(fk.referencedOid)!;
        return {
          rule: "tenant-fk-without-tenant-id",
          object: `constraint ${fk.name} on ${child.qualified}`,
          message: `foreign key (${columnNames(child, fk.columns)}) -> ${parent.qualified} (${columnNames(parent, fk.referencedColumns)}) does not pair tenant_id with tenant_id: a row can point into another tenant, and the key check reveals whether another tenant's row exists`,
          fix: `foreignKey({ columns: [t.tenantId, …], foreignColumns: [${parent.name}.tenantId, …] }) referencing a (tenant_id, …) key of ${parent.qualified}`,
        };
      });
  },
};

/**
 * Unique keys on tenant tables must include tenant_id: otherwise two tenants cannot hold the same
 * value, and an insert that collides tells one tenant that another tenant has that value. Tables
 * that are not tenant tables are not checked: tenants.slug is the global name of a tenant (its
 * URL), and users.email the global sign-in identity of a person who may belong to several tenants.
 * Their uniqueness is global by design, and app_user cannot insert into either table (sign-up will
 * be a narrow function that says only "taken"; see "Residual channels" in docs/isolation.md). A tenant
 * table's key that must be global (a random secret's hash) is listed in rlsLintSettings.globalUniqueKeys.
 */
export const uniqueKeysThroughTenant: Rule = {
  id: "unique-without-tenant-id",
  checks: "every unique key (primary key, unique constraint or unique index) on a tenant table includes tenant_id",
  run: (catalog, exceptions) => {
    const tenantTables = byOid(catalog);
    return catalog.indexes
      .filter((i) => {
        const table = tenantTables.get(i.tableOid);
        return (
          i.unique &&
          table?.tenantColumn &&
          !i.keyColumns.includes(table.tenantColumn.attnum) &&
          !exceptions.globalUniqueKeys.has(i.qualified)
        );
      })
      .map((i) => {
        const table = tenantTables.get(i.tableOid)!;
        const what = i.primary ? "primary key" : i.constraint ? "unique constraint" : "unique index";
        return {
          rule: "unique-without-tenant-id",
          object: i.constraint ? `constraint ${i.constraint} on ${table.qualified}` : `index ${i.qualified}`,
          message: `${what} (${columnNames(table, i.keyColumns)}) without tenant_id: a value taken in one tenant is refused in another, which tells the second that the first has it`,
          fix: `make it (tenant_id, ${columnNames(table, i.keyColumns)}): primaryKey({ columns: [t.tenantId, …] }) or uniqueIndex(…).on(t.tenantId, …); if the value is a random secret, list ${i.qualified} in globalUniqueKeys (db/rls-lint/settings.ts)`,
        };
      });
  },
};

export const keyRules: Rule[] = [foreignKeysThroughTenant, uniqueKeysThroughTenant];
