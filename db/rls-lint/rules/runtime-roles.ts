import type { Finding, Rule, RuntimeRoleState } from "../types";

/** app_user and agent_reader are subject to RLS and cannot step around it: no superuser, no BYPASSRLS, no ownership, no other role, no TRUNCATE, nothing to create. */

const perRole =
  (id: string, check: (role: RuntimeRoleState) => Omit<Finding, "rule">[]) => (roles: RuntimeRoleState[]) =>
    roles.filter((r) => r.exists).flatMap((r) => check(r).map((f) => ({ rule: id, ...f })));

export const runtimeRoleExists: Rule = {
  id: "runtime-role-missing",
  checks: "the roles the app and agent SQL connect as exist (the lint cannot vouch for a role it cannot see)",
  run: (catalog) =>
    catalog.roles
      .filter((r) => !r.exists)
      .map((r) => ({
        rule: "runtime-role-missing",
        object: `role ${r.role}`,
        message: "the runtime role does not exist in this cluster",
        fix: "run npm run db:migrate (migration 0000 creates the roles), or set the role names in db/rls-lint/settings.ts",
      })),
};

export const notSuperuser: Rule = {
  id: "runtime-role-superuser",
  checks: "app_user and agent_reader are not superusers",
  run: (catalog) =>
    perRole("runtime-role-superuser", (r) =>
      r.superuser
        ? [
            {
              object: `role ${r.role}`,
              message: "a superuser bypasses every policy",
              fix: `ALTER ROLE ${r.role} NOSUPERUSER`,
            },
          ]
        : [],
    )(catalog.roles),
};

export const noBypassRls: Rule = {
  id: "runtime-role-bypassrls",
  checks: "app_user and agent_reader do not have BYPASSRLS",
  run: (catalog) =>
    perRole("runtime-role-bypassrls", (r) =>
      r.bypassRls
        ? [
            {
              object: `role ${r.role}`,
              message: "BYPASSRLS skips every policy",
              fix: `ALTER ROLE ${r.role} NOBYPASSRLS`,
            },
          ]
        : [],
    )(catalog.roles),
};

export const ownsNothing: Rule = {
  id: "runtime-role-owns-objects",
  checks: "app_user and agent_reader own no table, view, sequence, function or schema",
  run: (catalog) =>
    perRole("runtime-role-owns-objects", (r) =>
      r.owns.map((object) => ({
        object,
        message: `owned by ${r.role}: an owner can disable or drop its policies, and skips RLS on tables without FORCE`,
        fix: `ALTER … OWNER TO the migration owner (${object})`,
      })),
    )(catalog.roles),
};

export const noRoleMembership: Rule = {
  id: "runtime-role-member-of-role",
  checks: "app_user and agent_reader are members of no other role (SET ROLE would take its rights)",
  run: (catalog) =>
    perRole("runtime-role-member-of-role", (r) =>
      r.memberOf.map((group) => ({
        object: `role ${r.role}`,
        message: `member of ${group}: SQL running as ${r.role} can SET ROLE ${group} (or inherits its rights), including any ownership, BYPASSRLS or pg_read_all_data it has`,
        fix: `REVOKE ${group} FROM ${r.role}`,
      })),
    )(catalog.roles),
};

/** Privileges on tenant tables that RLS does not govern. */
const outsideRls: Record<string, string> = {
  TRUNCATE: "TRUNCATE is not subject to RLS: it empties the table for every tenant",
  REFERENCES: "REFERENCES lets a foreign key probe the table, and key checks ignore RLS",
  TRIGGER: "TRIGGER lets the role attach code that runs on every tenant's writes",
  MAINTAIN: "MAINTAIN lets the role lock the table exclusively (LOCK, CLUSTER, REFRESH), for every tenant",
};

export const noPrivilegesOutsideRls: Rule = {
  id: "runtime-role-privilege-outside-rls",
  checks: "app_user and agent_reader hold no TRUNCATE, REFERENCES, TRIGGER or MAINTAIN on a tenant table",
  run: (catalog) =>
    perRole("runtime-role-privilege-outside-rls", (r) =>
      catalog.tenantTables.flatMap((t) =>
        (r.privileges.get(t.qualified)?.privileges ?? [])
          .filter((p) => p in outsideRls)
          .map((p) => ({
            object: `table ${t.qualified}`,
            message: `${r.role} has ${p}: ${outsideRls[p]}`,
            fix: `REVOKE ${p} ON ${t.qualified} FROM ${r.role} (and FROM PUBLIC)`,
          })),
      ),
    )(catalog.roles),
};

export const cannotCreate: Rule = {
  id: "runtime-role-can-create",
  checks:
    "app_user and agent_reader cannot create objects: no CREATE on any schema or on the database, no temporary objects",
  run: (catalog) =>
    perRole("runtime-role-can-create", (r) => [
      ...r.schemasWithCreate.map((schema) => ({
        object: `schema ${schema}`,
        message: `${r.role} has CREATE on it: it can add views or SECURITY DEFINER functions, or shadow names other code resolves through the search_path`,
        fix: `REVOKE CREATE ON SCHEMA ${schema} FROM PUBLIC, ${r.role}`,
      })),
      ...(r.canCreateSchemas
        ? [
            {
              object: `database ${catalog.database}`,
              message: `${r.role} can create schemas (CREATE on the database)`,
              fix: `REVOKE CREATE ON DATABASE ${catalog.database} FROM PUBLIC, ${r.role}`,
            },
          ]
        : []),
      ...(r.canCreateTemporary
        ? [
            {
              object: `database ${catalog.database}`,
              message: `${r.role} can create temporary tables, views and functions (pg_temp is searched before the app's schemas for tables)`,
              fix: `REVOKE TEMPORARY ON DATABASE ${catalog.database} FROM PUBLIC, ${r.role}`,
            },
          ]
        : []),
    ])(catalog.roles),
};

export const runtimeRoleRules: Rule[] = [
  runtimeRoleExists,
  notSuperuser,
  noBypassRls,
  ownsNothing,
  noRoleMembership,
  noPrivilegesOutsideRls,
  cannotCreate,
];
