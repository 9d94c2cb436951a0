import type { Catalog, Relation, Rule } from "../types";

/** Views run with their owner's rights unless security_invoker is set; materialized views have no RLS at all. */

/** Views and materialized views that read a tenant table, directly or through other views. */
function viewsOverTenantTables(catalog: Catalog): Relation[] {
  const reaches = new Set(catalog.tenantTables.map((t) => t.oid));
  for (let grew = true; grew;) {
    grew = false;
    for (const [view, deps] of catalog.viewDependencies) {
      if (!reaches.has(view) && deps.some((d) => reaches.has(d))) {
        reaches.add(view);
        grew = true;
      }
    }
  }
  return [...catalog.viewDependencies.keys()]
    .filter((v) => reaches.has(v))
    .map((v) => catalog.relations.get(v)!)
    .filter(Boolean);
}

const invokerRights = (view: Relation) => view.options.some((o) => /^security_invoker=(true|on|yes|1)$/i.test(o));

export const viewSecurityInvoker: Rule = {
  id: "view-without-security-invoker",
  checks: "every view over tenant tables has security_invoker = true, so the caller's policies apply",
  run: (catalog) =>
    viewsOverTenantTables(catalog)
      .filter((v) => v.kind === "view" && !invokerRights(v))
      .map((v) => ({
        rule: "view-without-security-invoker",
        object: `view ${v.qualified}`,
        message: `view over tenant tables without security_invoker: it reads them with its owner's (${v.owner}) rights, so callers see every tenant's rows`,
        fix: `ALTER VIEW ${v.qualified} SET (security_invoker = true) (pgView(…).with({ securityInvoker: true }) in Drizzle)`,
      })),
};

export const noMaterializedViews: Rule = {
  id: "materialized-view-over-tenant-table",
  checks: "no materialized view reads tenant tables (a materialized view has no row level security)",
  run: (catalog) =>
    viewsOverTenantTables(catalog)
      .filter((v) => v.kind === "materialized view")
      .map((v) => ({
        rule: "materialized-view-over-tenant-table",
        object: `materialized view ${v.qualified}`,
        message:
          "materialized view over tenant tables: its rows are a copy without row level security, readable by anyone with SELECT on it",
        fix: `drop it; keep derived data in a tenant table (tenant_id, RLS, FORCE) refreshed by the app, or use a security_invoker view`,
      })),
};

export const viewRules: Rule[] = [viewSecurityInvoker, noMaterializedViews];
