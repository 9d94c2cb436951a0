import type postgres from "postgres";
import { intField, isNode, isOwnTableVar, parseNodeTree, textField, walk } from "./node-tree";
import { rlsLintSettings, type RuntimeRoles } from "./settings";
import type {
  Catalog,
  Column,
  DefinerFunction,
  Policy,
  PolicyCommand,
  Relation,
  RelationKind,
  RuntimeRoleState,
  TenantTable,
} from "./types";

/**
 * Reads everything the rules need from the live catalog, in a read-only transaction, so each rule is
 * a plain function over one consistent snapshot. System schemas and objects that belong to
 * extensions are left out: the lint is about what the project itself defines.
 */
const userSchema = (column: string) =>
  `${column} not in ('pg_catalog', 'information_schema') and ${column} not like 'pg\\_toast%' and ${column} not like 'pg\\_temp\\_%'`;

const kinds: Record<string, RelationKind> = {
  r: "table",
  p: "partitioned table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
};
const commands: Record<string, PolicyCommand> = { r: "SELECT", a: "INSERT", w: "UPDATE", d: "DELETE", "*": "ALL" };

export async function loadCatalog(sql: postgres.Sql, roles: RuntimeRoles): Promise<Catalog> {
  return sql.begin<Catalog>("read only", async (tx) => {
    // Deparsed expressions and signatures then name every object with its schema.
    await tx`set local search_path = pg_catalog`;
    const [info] = await tx<{ database: string; version: number }[]>`
      select current_database() as database, current_setting('server_version_num')::int as version`;

    const relationRows = await tx<
      {
        oid: string;
        schema: string;
        name: string;
        qualified: string;
        relkind: string;
        owner: string;
        rls: boolean;
        force: boolean;
        options: string[];
      }[]
    >`
      select c.oid::text as oid, n.nspname as schema, c.relname as name, c.oid::regclass::text as qualified, c.relkind::text as relkind,
             pg_get_userbyid(c.relowner) as owner, c.relrowsecurity as rls, c.relforcerowsecurity as force,
             coalesce(c.reloptions, '{}') as options
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f') and ${tx.unsafe(userSchema("n.nspname"))}
        and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
      order by 4`;
    const oids = relationRows.map((r) => r.oid);
    const columnRows = await tx<(Column & { relation: string })[]>`
      select a.attrelid::text as relation, a.attnum::int as attnum, a.attname as name, a.atttypid::text as "typeOid",
             format_type(a.atttypid, a.atttypmod) as type, t.typcategory::text as category,
             (a.attidentity = 'a' or a.attgenerated <> '') as "generatedAlways", a.attnotnull as "notNull",
             (a.atthasdef or a.attidentity <> '') as "hasDefault"
      from pg_attribute a join pg_type t on t.oid = a.atttypid where a.attrelid = any(${oids}::oid[]) and a.attnum > 0 and not a.attisdropped order by a.attrelid, a.attnum`;
    const relations = new Map<string, Relation>();
    for (const r of relationRows) {
      relations.set(r.oid, {
        oid: r.oid,
        schema: r.schema,
        name: r.name,
        qualified: r.qualified,
        kind: kinds[r.relkind]!,
        owner: r.owner,
        rowSecurity: r.rls,
        forceRowSecurity: r.force,
        options: r.options,
        columns: [],
      });
    }
    for (const c of columnRows)
      relations.get(c.relation)?.columns.push({
        attnum: c.attnum,
        name: c.name,
        typeOid: c.typeOid,
        type: c.type,
        category: c.category,
        generatedAlways: c.generatedAlways,
        notNull: c.notNull,
        hasDefault: c.hasDefault,
      });

    const foreignKeys = (
      await tx<{ name: string; table: string; columns: number[]; referenced: string; referencedColumns: number[] }[]>`
        select con.conname as name, con.conrelid::text as table, con.conkey::int[] as columns, con.confrelid::text as referenced,
               con.confkey::int[] as "referencedColumns"
        from pg_constraint con where con.contype = 'f' and con.conrelid = any(${oids}::oid[]) order by 2, 1`
    ).map((f) => ({
      name: f.name,
      tableOid: f.table,
      columns: f.columns,
      referencedOid: f.referenced,
      referencedColumns: f.referencedColumns,
    }));

    const policyRows = await tx<
      {
        table: string;
        name: string;
        permissive: boolean;
        cmd: string;
        roles: string[];
        qual: string | null;
        qualText: string | null;
        check: string | null;
        checkText: string | null;
      }[]
    >`
      select p.polrelid::text as table, p.polname as name, p.polpermissive as permissive, p.polcmd::text as cmd,
             array(select case when r = 0 then 'public' else pg_get_userbyid(r) end from unnest(p.polroles) r order by 1) as roles,
             p.polqual::text as qual, pg_get_expr(p.polqual, p.polrelid) as "qualText",
             p.polwithcheck::text as check, pg_get_expr(p.polwithcheck, p.polrelid) as "checkText"
      from pg_policy p where p.polrelid = any(${oids}::oid[]) order by p.polrelid, p.polname`;
    const policies: Policy[] = policyRows.map((p) => ({
      tableOid: p.table,
      name: p.name,
      permissive: p.permissive,
      command: commands[p.cmd]!,
      roles: p.roles,
      using: p.qual === null ? null : { text: p.qualText ?? "", tree: parseNodeTree(p.qual) },
      withCheck: p.check === null ? null : { text: p.checkText ?? "", tree: parseNodeTree(p.check) },
    }));

    const indexes = (
      await tx<
        {
          qualified: string;
          table: string;
          unique: boolean;
          primary: boolean;
          valid: boolean;
          keys: number[];
          constraint: string | null;
        }[]
      >`
        select i.indexrelid::regclass::text as qualified, i.indrelid::text as table, i.indisunique as unique, i.indisprimary as primary,
               i.indisvalid as valid,
               array(select k from unnest(i.indkey::int2[]) with ordinality u(k, n) where n <= i.indnkeyatts order by n)::int[] as keys,
               con.conname as constraint
        from pg_index i left join pg_constraint con on con.conindid = i.indexrelid and con.contype in ('p', 'u', 'x')
        where i.indrelid = any(${oids}::oid[]) order by 1`
    ).map((i) => ({
      qualified: i.qualified,
      tableOid: i.table,
      unique: i.unique,
      primary: i.primary,
      valid: i.valid,
      keyColumns: i.keys,
      constraint: i.constraint,
    }));

    const viewDependencies = new Map<string, string[]>();
    for (const d of await tx<{ view: string; relation: string }[]>`
      select distinct r.ev_class::text as view, d.refobjid::text as relation
      from pg_rewrite r join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass
      where d.refobjid <> r.ev_class and r.ev_class = any(${oids}::oid[])`) {
      viewDependencies.set(d.view, [...(viewDependencies.get(d.view) ?? []), d.relation]);
    }

    const operatorIds = new Set<string>();
    for (const p of policies) {
      for (const e of [p.using, p.withCheck]) {
        if (e)
          walk(
            e.tree,
            (n) =>
              isNode(n) &&
              ["OPEXPR", "SCALARARRAYOPEXPR", "DISTINCTEXPR", "NULLIFEXPR"].includes(n.type) &&
              operatorIds.add(textField(n, "opno")),
          );
      }
    }
    const operators = new Map(
      (
        await tx<{ oid: string; name: string; left: string; right: string }[]>`
          select o.oid::text as oid, o.oprname as name, o.oprleft::text as left, o.oprright::text as right
          from pg_operator o where o.oid = any(${[...operatorIds]}::oid[])`
      ).map((o) => [o.oid, { name: o.name, left: o.left, right: o.right }]),
    );

    const contextFunctionOids = new Map(
      (
        await tx<{ oid: string; name: string }[]>`
          select p.oid::text as oid, n.nspname || '.' || p.proname as name
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname || '.' || p.proname = any(${[...rlsLintSettings.contextFunctions]}::text[])`
      ).map((f) => [f.oid, f.name]),
    );

    const [tenants] = await tx<{ oid: string | null }[]>`
      select to_regclass(format('%I.%I', ${rlsLintSettings.tenantsTable.schema}::text, ${rlsLintSettings.tenantsTable.name}::text))::oid::text as oid`;
    const tenantTables: TenantTable[] = [];
    for (const relation of relations.values()) {
      if (relation.kind !== "table" && relation.kind !== "partitioned table") continue;
      if (relation.oid === tenants?.oid) continue;
      const named = relation.columns.find((c) => c.name === rlsLintSettings.tenantColumn);
      const toTenants = foreignKeys.find((f) => f.tableOid === relation.oid && f.referencedOid === tenants?.oid);
      const byPolicy = columnComparedWithTenantContext(relation.oid, policies, contextFunctionOids);
      if (!named && !toTenants && byPolicy === undefined) continue;
      const tenantColumn =
        named ?? relation.columns.find((c) => c.attnum === (toTenants?.columns[0] ?? byPolicy)) ?? null;
      tenantTables.push({ ...relation, tenantColumn });
    }
    const [citus] = await tx<
      { present: boolean }[]
    >`select to_regclass('pg_catalog.pg_dist_partition') is not null as present`;
    const distributedTableOids = new Set(
      citus!.present
        ? (await tx<{ oid: string }[]>`select logicalrelid::oid::text as oid from pg_catalog.pg_dist_partition`).map(
            (r) => r.oid,
          )
        : [],
    );

    const roleStates = await loadRoles(tx, roles, info!.version);
    const existing = roleStates.filter((r) => r.exists).map((r) => r.role);
    const definerFunctions: DefinerFunction[] = (
      await tx<{ oid: string; signature: string; config: string[] | null; executableBy: string[] }[]>`
        select p.oid::text as oid, n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' as signature,
               p.proconfig as config,
               array(select r from unnest(${existing}::text[]) r where has_function_privilege(r, p.oid, 'EXECUTE') order by 1) as "executableBy"
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef and ${tx.unsafe(userSchema("n.nspname"))}
        order by 2`
    ).map((f) => ({ oid: f.oid, signature: f.signature, config: f.config ?? [], executableBy: f.executableBy }));

    return {
      database: info!.database,
      serverVersion: info!.version,
      relations,
      tenantTables,
      policies,
      indexes,
      foreignKeys,
      viewDependencies,
      definerFunctions,
      operators,
      contextFunctionOids,
      distributedTableOids,
      roles: roleStates,
    } satisfies Catalog;
  });
}

/**
 * The column a policy of this table compares with app.current_tenant_id() (its attnum): a table whose
 * policy says which column holds the tenant is a tenant table, whatever that column is called.
 */
function columnComparedWithTenantContext(
  tableOid: string,
  policies: Policy[],
  contextFunctionOids: Map<string, string>,
): number | undefined {
  let found: number | undefined;
  for (const p of policies.filter((policy) => policy.tableOid === tableOid)) {
    for (const e of [p.using, p.withCheck]) {
      if (!e) continue;
      walk(e.tree, (n, ancestors) => {
        if (found !== undefined || n.type !== "OPEXPR" || !Array.isArray(n.fields.args)) return;
        const [a, b] = n.fields.args;
        const column = [a, b].find((arg) => isNode(arg) && isOwnTableVar(arg, [...ancestors, n]));
        const other = column === a ? b : a;
        if (!isNode(column) || other === undefined) return;
        let callsTenantContext = false;
        walk(other, (inner) => {
          if (
            inner.type === "FUNCEXPR" &&
            contextFunctionOids.get(textField(inner, "funcid")) === "app.current_tenant_id"
          )
            callsTenantContext = true;
        });
        if (callsTenantContext) found = intField(column, "varattno");
      });
    }
  }
  return found;
}

async function loadRoles(
  tx: postgres.TransactionSql,
  roles: RuntimeRoles,
  serverVersion: number,
): Promise<RuntimeRoleState[]> {
  const states: RuntimeRoleState[] = [];
  for (const [kind, role] of [
    ["app", roles.app],
    ["agent", roles.agent],
  ] as const) {
    const [attributes] = await tx<{ superuser: boolean; bypass: boolean }[]>`
      select rolsuper as superuser, rolbypassrls as bypass from pg_roles where rolname = ${role}`;
    const state: RuntimeRoleState = {
      role,
      kind,
      exists: attributes !== undefined,
      superuser: attributes?.superuser ?? false,
      bypassRls: attributes?.bypass ?? false,
      memberOf: [],
      owns: [],
      schemasWithCreate: [],
      canCreateSchemas: false,
      canCreateTemporary: false,
      privileges: new Map(),
    };
    states.push(state);
    if (!attributes) continue;

    state.memberOf = (
      await tx<{ name: string }[]>`
        select g.rolname as name from pg_auth_members m join pg_roles g on g.oid = m.roleid join pg_roles u on u.oid = m.member
        where u.rolname = ${role} order by 1`
    ).map((r) => r.name);
    state.owns = (
      await tx<{ object: string }[]>`
        select format('%s %s', case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end,
                      c.oid::regclass) as object
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relowner = ${role}::regrole and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
        union all
        select format('function %s', p.oid::regprocedure) from pg_proc p where p.proowner = ${role}::regrole
        union all
        select format('schema %I', n.nspname) from pg_namespace n where n.nspowner = ${role}::regrole
        order by 1`
    ).map((r) => r.object);
    state.schemasWithCreate = (
      await tx<{ name: string }[]>`
        select n.nspname as name from pg_namespace n
        where ${tx.unsafe(userSchema("n.nspname"))} and has_schema_privilege(${role}, n.oid, 'CREATE') order by 1`
    ).map((r) => r.name);
    const [database] = await tx<{ create: boolean; temporary: boolean }[]>`
      select has_database_privilege(${role}, current_database(), 'CREATE') as create,
             has_database_privilege(${role}, current_database(), 'TEMPORARY') as temporary`;
    state.canCreateSchemas = database!.create;
    state.canCreateTemporary = database!.temporary;

    const tablePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"];
    if (serverVersion >= 170000) tablePrivileges.push("MAINTAIN"); // PostgreSQL 17 added it
    for (const row of await tx<{ qualified: string; kind: string; privileges: string[] }[]>`
      select c.oid::regclass::text as qualified,
             case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end as kind,
             case when c.relkind = 'S'
               then array(select p from unnest(array['USAGE', 'SELECT', 'UPDATE']) p where has_sequence_privilege(${role}, c.oid, p))
               else array(select p from unnest(${tablePrivileges}::text[]) p
                          where has_table_privilege(${role}, c.oid, p)
                             or (p in ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES') and has_any_column_privilege(${role}, c.oid, p)))
             end as privileges
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and ${tx.unsafe(userSchema("n.nspname"))}`) {
      if (row.privileges.length > 0)
        state.privileges.set(row.qualified, { kind: row.kind, privileges: row.privileges });
    }
  }
  return states;
}
