import { createHash, randomUUID } from "node:crypto";
import type postgres from "postgres";
import type { Catalog, Column, Relation, TenantTable } from "@/db/rls-lint/types";

/**
 * Rows for any tenant table, built from the catalog so that a new table is covered without writing
 * code for it: an existing row of the tenant (read as the owner, every column), or a copy of one
 * with fresh values in its unique keys, so that inserting it collides with nothing.
 */
export type Row = Record<string, unknown>;

export interface TableShape {
  table: TenantTable;
  tenantColumn: string;
  /** The columns that identify one row: the primary key, else the first unique key. */
  rowKey: string[];
  uniqueKeys: string[][];
  /** Columns an INSERT may name (PostgreSQL fills in identity-always and generated columns). */
  insertColumns: string[];
  foreignKeys: {
    columns: string[];
    referenced: Relation;
    referencedColumns: string[];
    referencedTenantColumn: string | null;
  }[];
}

const names = (table: Relation, attnums: number[]) =>
  attnums.map((n) => table.columns.find((c) => c.attnum === n)!.name);

export function tableShape(catalog: Catalog, table: TenantTable): TableShape {
  if (!table.tenantColumn) throw new Error(`${table.qualified}: tenant table without a tenant column`);
  const unique = catalog.indexes.filter((i) => i.tableOid === table.oid && i.unique && !i.keyColumns.includes(0));
  const primary = unique.find((i) => i.primary) ?? unique[0];
  if (!primary)
    throw new Error(`${table.qualified} has no primary or unique key: the matrix cannot address one row of it`);
  const tenantTables = new Map(catalog.tenantTables.map((t) => [t.oid, t]));
  return {
    table,
    tenantColumn: table.tenantColumn.name,
    rowKey: names(table, primary.keyColumns),
    uniqueKeys: unique.map((i) => names(table, i.keyColumns)),
    insertColumns: table.columns.filter((c) => !c.generatedAlways).map((c) => c.name),
    foreignKeys: catalog.foreignKeys
      .filter((f) => f.tableOid === table.oid)
      .map((f) => {
        const referenced = catalog.relations.get(f.referencedOid)!;
        return {
          columns: names(table, f.columns),
          referenced,
          referencedColumns: names(referenced, f.referencedColumns),
          referencedTenantColumn: tenantTables.get(f.referencedOid)?.tenantColumn?.name ?? null,
        };
      }),
  };
}

export const relation = (sql: postgres.Sql | postgres.TransactionSql, r: Relation) =>
  sql`${sql(r.schema)}.${sql(r.name)}`;

/** One row of the tenant (as the owner, every column), or undefined when the tenant has none. */
export async function existingRow(owner: postgres.Sql, shape: TableShape, tenantId: string): Promise<Row | undefined> {
  const [found] = await owner<{ row: Row }[]>`
    select to_jsonb(t) as row from ${relation(owner, shape.table)} t where ${owner(shape.tenantColumn)} = ${tenantId} limit 1`;
  return found?.row;
}

async function keyTaken(owner: postgres.Sql, shape: TableShape, key: string[], row: Row): Promise<boolean> {
  const [found] = await owner<{ taken: boolean }[]>`
    select exists (select from ${relation(owner, shape.table)} where (${owner(key)}) = (${typedValues(owner, shape, key, row)})) as taken`;
  return found!.taken;
}

/**
 * The row's values of `columns`, each cast to its column's type (the type's name from the catalog), as a
 * list of expressions: no jsonb_populate_record(null::table), whose row type a Citus coordinator cannot
 * pass to the shards it sends the statement to.
 */
function typedValues(sql: postgres.Sql | postgres.TransactionSql, shape: TableShape, columns: string[], row: Row) {
  const values = columns.map((name) => {
    const column = shape.table.columns.find((c) => c.name === name)!;
    return sql`(${sql.json(row as postgres.JSONValue)}->>${name})::${sql.unsafe(column.type)}`;
  });
  return values.reduce((list, v) => sql`${list}, ${v}`);
}

/** Gives `column` of `row` a value that frees `key`, or returns false when it cannot. */
async function freshValue(
  owner: postgres.Sql,
  shape: TableShape,
  key: string[],
  row: Row,
  column: Column,
): Promise<boolean> {
  const table = relation(owner, shape.table);
  if (column.generatedAlways) {
    delete row[column.name];
    return true;
  }
  const fk = shape.foreignKeys.find((f) => f.columns.includes(column.name));
  if (fk) {
    // Another referenced value (of the same tenant when the referenced table is a tenant table).
    const referencedColumn = fk.referencedColumns[fk.columns.indexOf(column.name)]!;
    const candidates = fk.referencedTenantColumn
      ? await owner<{ value: unknown }[]>`
          select ${owner(referencedColumn)} as value from ${relation(owner, fk.referenced)}
          where ${owner(fk.referencedTenantColumn)} = ${String(row[shape.tenantColumn])} limit 200`
      : await owner<
          { value: unknown }[]
        >`select ${owner(referencedColumn)} as value from ${relation(owner, fk.referenced)} limit 200`;
    for (const { value } of candidates) {
      if (!(await keyTaken(owner, shape, key, { ...row, [column.name]: value }))) {
        row[column.name] = value;
        return true;
      }
    }
    return false;
  }
  if (column.type === "uuid") row[column.name] = randomUUID();
  else if (column.category === "N") {
    const [max] = await owner<
      { next: string }[]
    >`select (coalesce(max(${owner(column.name)}), 0) + 1)::text as next from ${table}`;
    row[column.name] = Number(max!.next);
  } else if (column.category === "S") {
    const previous = row[column.name]; // a string column read through to_jsonb: a string or null
    row[column.name] = freshText(typeof previous === "string" ? previous : "");
  } else return false;
  return true;
}

/**
 * A row that tenantId can insert: a copy of one of its rows, or of another tenant's with the tenant
 * column and the foreign keys into tenant tables re-pointed at tenantId's rows; then every unique
 * key that would collide gets a fresh value (identity columns left to PostgreSQL, a new uuid, the
 * next number, a suffixed text, or another referenced row).
 */
export async function candidateRow(owner: postgres.Sql, shape: TableShape, tenantId: string): Promise<Row> {
  const own = await existingRow(owner, shape, tenantId);
  const [any] = own
    ? []
    : await owner<{ row: Row }[]>`select to_jsonb(t) as row from ${relation(owner, shape.table)} t limit 1`;
  const source = own ?? any?.row ?? (await minimalRow(owner, shape));
  const row: Row = { ...source, [shape.tenantColumn]: tenantId };

  if (!own) {
    for (const fk of shape.foreignKeys.filter(
      (f) => f.referencedTenantColumn && f.columns.includes(shape.tenantColumn),
    )) {
      const [parent] = await owner<{ row: Row }[]>`
        select to_jsonb(p) as row from ${relation(owner, fk.referenced)} p where ${owner(fk.referencedTenantColumn!)} = ${tenantId} limit 1`;
      if (!parent)
        throw new Error(
          `${shape.table.qualified}: tenant ${tenantId} has no row in ${fk.referenced.qualified} to point at`,
        );
      fk.columns.forEach((c, i) => (row[c] = parent.row[fk.referencedColumns[i]!]));
    }
  }

  for (const key of shape.uniqueKeys) {
    if (!(await keyTaken(owner, shape, key, row))) continue;
    const columns = key
      .filter((c) => c !== shape.tenantColumn)
      .map((c) => shape.table.columns.find((col) => col.name === c)!);
    // Prefer columns PostgreSQL fills in, then plain values, and only then other referenced rows.
    const order = [
      ...columns.filter((c) => c.generatedAlways),
      ...columns.filter((c) => !c.generatedAlways && !shape.foreignKeys.some((f) => f.columns.includes(c.name))),
      ...columns,
    ];
    let freed = false;
    for (const column of order) {
      if (await freshValue(owner, shape, key, row, column)) {
        freed = true;
        break;
      }
    }
    if (!freed)
      throw new Error(
        `${shape.table.qualified}: cannot make key (${key.join(", ")}) unique for a new row; extend tests/support/tenant-rows.ts`,
      );
  }
  return row;
}

/**
 * A new text value. Lowercase hex keeps format checks happy (hashes such as api_keys.secret_hash must
 * be 64 hex digits; emails must be lowercase); other text keeps a readable prefix.
 */
function freshText(previous: string): string {
  const hex = createHash("sha256").update(randomUUID()).digest("hex");
  return /^[0-9a-f]{64}$/.test(previous) || previous === "" ? hex : `${previous} (matrix ${hex.slice(0, 8)})`;
}

/**
 * For a table without any row: only the columns that need a value (NOT NULL, no default), each
 * filled by type; foreign keys re-pointed by candidateRow. Check constraints may still refuse it:
 * then seed a row of that table in db/seed.
 */
async function minimalRow(owner: postgres.Sql, shape: TableShape): Promise<Row> {
  const row: Row = {};
  for (const column of shape.table.columns.filter((c) => c.notNull && !c.hasDefault)) {
    const fk = shape.foreignKeys.find((f) => f.columns.includes(column.name));
    if (fk) {
      const [referenced] = await owner<{ value: unknown }[]>`
        select ${owner(fk.referencedColumns[fk.columns.indexOf(column.name)]!)} as value from ${relation(owner, fk.referenced)} limit 1`;
      if (!referenced) throw new Error(`${shape.table.qualified}: ${fk.referenced.qualified} is empty; seed it first`);
      row[column.name] = referenced.value;
    } else if (column.type === "uuid") row[column.name] = randomUUID();
    else if (column.category === "N") row[column.name] = 1;
    else if (column.category === "S") row[column.name] = freshText("");
    else if (column.category === "B") row[column.name] = false;
    else if (column.category === "D") row[column.name] = new Date().toISOString();
    else if (column.type === "jsonb" || column.type === "json") row[column.name] = {};
    else if (column.category === "E") {
      const [label] = await owner<
        { label: string }[]
      >`select enumlabel as label from pg_enum where enumtypid = ${column.typeOid}::oid order by enumsortorder limit 1`;
      row[column.name] = label!.label;
    } else
      throw new Error(
        `${shape.table.qualified} has no rows and column ${column.name} (${column.type}) needs a value: seed a row of it`,
      );
  }
  return row;
}

/** insert … values, every value cast to its column's type. */
export async function insertRow(
  sql: postgres.Sql | postgres.TransactionSql,
  shape: TableShape,
  row: Row,
): Promise<{ tenant: string; row: Row }[]> {
  const table = relation(sql, shape.table);
  // The columns the row names; the others get their defaults.
  const columns = shape.insertColumns.filter((c) => c in row);
  // RETURNING the columns themselves: Citus allows only immutable functions there (no to_jsonb).
  const inserted = await sql<Row[]>`
    insert into ${table} (${sql(columns)}) values (${typedValues(sql, shape, columns, row)}) returning *`;
  return inserted.map((r) => ({ tenant: r[shape.tenantColumn] as string, row: r }));
}

/** The WHERE condition that picks exactly `row` by its key. */
export function byKey(sql: postgres.Sql | postgres.TransactionSql, shape: TableShape, row: Row) {
  return sql`(${sql(shape.rowKey)}) = (${typedValues(sql, shape, shape.rowKey, row)})`;
}
