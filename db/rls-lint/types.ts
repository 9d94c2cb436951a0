import type { PgValue } from "./node-tree";

/** One problem: which rule, which database object, what is wrong and how to fix it. */
export interface Finding {
  rule: string;
  object: string;
  message: string;
  fix: string;
}

/** A rule reads the catalog snapshot and returns its findings (none when the database is sound). */
export interface Rule {
  id: string;
  /** What the rule checks, in one sentence (printed by `npm run db:lint -- --rules`). */
  checks: string;
  run(catalog: Catalog, exceptions: RlsLintExceptions): Finding[];
}

/** Deliberate departures from the rules, each listed with its reason (db/rls-lint/settings.ts). */
export interface RlsLintExceptions {
  /** Qualified names of unique indexes on tenant tables that may leave out tenant_id. */
  globalUniqueKeys: Set<string>;
}

export interface Column {
  attnum: number;
  name: string;
  typeOid: string;
  type: string;
  /** pg_type.typcategory: N numeric, S string, U user (uuid), E enum, D date/time, … */
  category: string;
  /** Filled in by PostgreSQL: GENERATED ALWAYS AS IDENTITY, or a generated column. */
  generatedAlways: boolean;
  notNull: boolean;
  hasDefault: boolean;
}

export type RelationKind = "table" | "partitioned table" | "view" | "materialized view" | "foreign table";

export interface Relation {
  oid: string;
  schema: string;
  name: string;
  /** schema.name, quoted where needed: how findings name it. */
  qualified: string;
  kind: RelationKind;
  owner: string;
  rowSecurity: boolean;
  forceRowSecurity: boolean;
  options: string[];
  columns: Column[];
}

/** A table with a tenant_id column or a foreign key to the tenants table. */
export interface TenantTable extends Relation {
  /** tenant_id, or (without one) the column of the foreign key to tenants. */
  tenantColumn: Column | null;
}

export type PolicyCommand = "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "ALL";

export interface PolicyExpression {
  text: string;
  tree: PgValue;
}

export interface Policy {
  tableOid: string;
  name: string;
  permissive: boolean;
  command: PolicyCommand;
  /** Role names; "public" for every role. */
  roles: string[];
  using: PolicyExpression | null;
  withCheck: PolicyExpression | null;
}

export interface Index {
  qualified: string;
  tableOid: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  /** attnums of the key columns, in order; 0 for an expression. */
  keyColumns: number[];
  constraint: string | null;
}

export interface ForeignKey {
  name: string;
  tableOid: string;
  columns: number[];
  referencedOid: string;
  referencedColumns: number[];
}

export interface DefinerFunction {
  oid: string;
  signature: string;
  config: string[];
  /** Which of the runtime roles hold EXECUTE (directly, through PUBLIC or a role they belong to). */
  executableBy: string[];
}

export interface Operator {
  name: string;
  left: string;
  right: string;
}

export interface RuntimeRoleState {
  role: string;
  kind: "app" | "agent";
  exists: boolean;
  superuser: boolean;
  bypassRls: boolean;
  memberOf: string[];
  owns: string[];
  schemasWithCreate: string[];
  canCreateSchemas: boolean;
  canCreateTemporary: boolean;
  /** Privileges on each relation and sequence of the database, keyed by qualified name. */
  privileges: Map<string, { kind: string; privileges: string[] }>;
}

export interface Catalog {
  database: string;
  serverVersion: number;
  relations: Map<string, Relation>;
  tenantTables: TenantTable[];
  policies: Policy[];
  indexes: Index[];
  foreignKeys: ForeignKey[];
  /** Direct dependencies of views and materialized views on relations: view oid -> relation oids. */
  viewDependencies: Map<string, string[]>;
  definerFunctions: DefinerFunction[];
  operators: Map<string, Operator>;
  contextFunctionOids: Map<string, string>;
  /** Tables a Citus coordinator has distributed (none on single-node PostgreSQL): docs/scale-out.md. */
  distributedTableOids: Set<string>;
  roles: RuntimeRoleState[];
}
