import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import * as schema from "@/db/schema";
import { loadCatalog } from "@/db/rls-lint/catalog";
import { rlsLintSettings } from "@/db/rls-lint/settings";
import { closePools } from "@/db/client";
import { appSql, ownerSql, setContext, tenantIdsBySlug, token } from "../support/db";
import {
  byKey,
  candidateRow,
  existingRow,
  insertRow,
  relation,
  tableShape,
  type Row,
  type TableShape,
} from "../support/tenant-rows";

/**
 * The isolation matrix, generated from the live catalog: for every tenant table (a tenant_id column
 * or a foreign key to tenants, the RLS lint's definition), SELECT / INSERT / UPDATE / DELETE as app_user
 * under six contexts. Every cell states its expected outcome and runs the same statement as the
 * owner (BYPASSRLS) as its control, proving the statement would reach the rows without the policy.
 * Every statement runs in a transaction that is rolled back: the seed is left as it was. The same
 * matrix runs on a Citus coordinator (tests/citus/matrix.test.ts), with that engine's context setter.
 */
const owner = ownerSql();
const catalog = await loadCatalog(owner, rlsLintSettings.roles);
const ids = await tenantIdsBySlug();
const acme = ids["acme-health"]!;
const globex = ids["globex-realty"]!;

const operations = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
type Operation = (typeof operations)[number];

// Who the request claims to be. "other tenant" is acme's valid context aimed at globex's rows; the
// three broken contexts claim globex and aim at globex's rows.
const contexts = {
  "own tenant": { token: () => token({ tenantId: acme }), target: acme },
  "other tenant": { token: () => token({ tenantId: acme }), target: globex },
  "no context": { token: () => null, target: acme },
  forged: {
    token: () => token({ tenantId: globex }, { secret: "a-key-that-is-not-the-server-secret-0123456789" }),
    target: globex,
  },
  expired: {
    token: () => token({ tenantId: globex }, { ttlSeconds: 30, nowMs: Date.now() - 120_000 }),
    target: globex,
  },
  tampered: { token: () => token({ tenantId: acme }).replace(acme, globex), target: globex },
} as const;
type ContextName = keyof typeof contexts;
const badContext: Partial<Record<ContextName, RegExp>> = {
  forged: /invalid tenant context: bad signature/,
  expired: /invalid tenant context: expired/,
  tampered: /invalid tenant context: bad signature/,
};

type Outcome = { rows: number } | { error: RegExp };

// Each table gets, for acme and globex, a fresh row planted by the owner (removed at the end): the
// DELETE cells aim at it, since nothing references it. It also gives an empty table its first rows.
const planted: { shape: TableShape; row: Row }[] = [];
const deletable = new Map<string, Row>();
const shapes: TableShape[] = [];
for (const table of catalog.tenantTables) {
  const shape = tableShape(catalog, table);
  shapes.push(shape);
  for (const tenant of [acme, globex]) {
    const [inserted] = await insertRow(owner, shape, await candidateRow(owner, shape, tenant));
    planted.push({ shape, row: inserted!.row });
    deletable.set(`${shape.table.qualified} ${tenant}`, inserted!.row);
  }
}

after(async () => {
  for (const { shape, row } of planted)
    await owner`delete from ${relation(owner, shape.table)} where ${byKey(owner, shape, row)}`;
  await closePools();
  await owner.end();
});

async function granted(shape: TableShape, operation: Operation): Promise<boolean> {
  // UPDATE and DELETE with a WHERE clause also read the table. The generic INSERT and UPDATE name every
  // column and return the whole row, so a table with column-level grants (hashes app_user may not
  // read) refuses them: its narrow write paths are tested by its own suite. SELECT reads tenant_id only.
  const needed = operation === "SELECT" ? [operation] : [operation, "SELECT"];
  const [row] = await owner<{ ok: boolean }[]>`
    select bool_and(case when p = 'SELECT' and ${operation} = 'SELECT' then has_any_column_privilege(${rlsLintSettings.roles.app}, ${shape.table.oid}::oid, p)
                         else has_table_privilege(${rlsLintSettings.roles.app}, ${shape.table.oid}::oid, p) end) as ok
    from unnest(${needed}::text[]) p`;
  return row!.ok;
}

function policyCovers(shape: TableShape, operation: Operation): boolean {
  return catalog.policies.some(
    (p) =>
      p.tableOid === shape.table.oid &&
      p.permissive &&
      (p.command === operation || p.command === "ALL") &&
      (p.roles.includes("public") || p.roles.includes(rlsLintSettings.roles.app)),
  );
}

async function tenantRowCount(shape: TableShape, tenant: string): Promise<number> {
  const [row] = await owner<
    { n: number }[]
  >`select count(*)::int as n from ${relation(owner, shape.table)} where ${owner(shape.tenantColumn)} = ${tenant}`;
  return row!.n;
}

async function expected(shape: TableShape, operation: Operation, context: ContextName): Promise<Outcome> {
  if (!(await granted(shape, operation))) return { error: /permission denied/ };
  const refusedWrite: Outcome = operation === "INSERT" ? { error: /row-level security/ } : { rows: 0 };
  const covered = policyCovers(shape, operation);
  if (context === "own tenant") {
    if (!covered) return refusedWrite;
    return { rows: operation === "SELECT" ? await tenantRowCount(shape, acme) : 1 };
  }
  const bad = badContext[context];
  return bad && covered ? { error: bad } : refusedWrite;
}

/** The statement of a cell, aimed at the context's target tenant. */
async function statement(shape: TableShape, operation: Operation, context: ContextName) {
  const target = contexts[context].target;
  const row =
    operation === "INSERT"
      ? await candidateRow(owner, shape, target)
      : operation === "DELETE"
        ? deletable.get(`${shape.table.qualified} ${target}`)!
        : (await existingRow(owner, shape, target))!;
  const t = (sql: postgres.TransactionSql) => relation(sql, shape.table);
  const column = shape.tenantColumn;
  switch (operation) {
    case "SELECT":
      return (sql: postgres.TransactionSql) =>
        context === "no context"
          ? sql<Row[]>`select ${sql(column)}::text as tenant from ${t(sql)}`
          : sql<Row[]>`select ${sql(column)}::text as tenant from ${t(sql)} where ${sql(column)} = ${target}`;
    case "INSERT":
      return (sql: postgres.TransactionSql) => insertRow(sql, shape, row);
    case "UPDATE":
      return (sql: postgres.TransactionSql) =>
        sql<
          Row[]
        >`update ${t(sql)} set ${sql(column)} = ${sql(column)} where ${byKey(sql, shape, row)} returning ${sql(column)}::text as tenant`;
    case "DELETE":
      return (sql: postgres.TransactionSql) =>
        sql<Row[]>`delete from ${t(sql)} where ${byKey(sql, shape, row)} returning ${sql(column)}::text as tenant`;
  }
}

class RolledBack extends Error {
  constructor(readonly rows: Row[]) {
    super("rolled back");
  }
}

/** Runs the statement in a transaction that is always rolled back; returns its rows or its error. */
async function attempt(
  pool: postgres.Sql,
  ctx: string | null,
  run: (sql: postgres.TransactionSql) => Promise<Row[]>,
): Promise<{ rows: Row[] } | { error: Error }> {
  try {
    await pool.begin(async (tx) => {
      if (ctx !== null) await setContext(tx, ctx);
      throw new RolledBack(await run(tx));
    });
    throw new Error("unreachable: the transaction always rolls back");
  } catch (error) {
    if (error instanceof RolledBack) return { rows: error.rows };
    return { error: error as Error };
  }
}

const summary = new Map<string, string[]>();
const cellCount = shapes.length * operations.length * Object.keys(contexts).length;
const describeOutcome = (o: Outcome) =>
  "rows" in o ? `${o.rows} row${o.rows === 1 ? "" : "s"}` : `refused (${o.error.source.split(":").at(-1)!.trim()})`;

for (const shape of shapes) {
  describe(`matrix: ${shape.table.qualified}`, () => {
    for (const operation of operations) {
      for (const context of Object.keys(contexts) as ContextName[]) {
        it(`${operation} × ${context}`, async () => {
          const want = await expected(shape, operation, context);
          const run = await statement(shape, operation, context);
          const got = await attempt(appSql(), contexts[context].token(), run);

          if ("error" in want) {
            assert.ok(
              "error" in got,
              `expected ${want.error}, got ${JSON.stringify("rows" in got ? got.rows.slice(0, 3) : null)}`,
            );
            assert.match(got.error.message, want.error);
          } else {
            assert.ok("rows" in got, `expected ${want.rows} rows, got ${"error" in got ? got.error.message : ""}`);
            assert.equal(got.rows.length, want.rows);
            for (const row of got.rows) assert.equal(row.tenant, acme, "app_user touched a row outside its own tenant");
          }

          // Control: the same statement as the owner (BYPASSRLS) reaches the target's rows.
          const control = await attempt(owner, null, run);
          assert.ok("rows" in control, `control failed: ${"error" in control ? control.error.message : ""}`);
          assert.ok(
            control.rows.some((r) => r.tenant === contexts[context].target),
            "control: the same statement reaches rows of the target tenant without RLS",
          );

          summary.set(shape.table.qualified, [
            ...(summary.get(shape.table.qualified) ?? []),
            `${operation} × ${context}: ${describeOutcome(want)}`,
          ]);
        });
      }
    }
  });
}

describe("matrix coverage", () => {
  it(`covers every tenant table of db/schema.ts (${cellCount} cells)`, (t) => {
    const declared = (Object.values(schema) as unknown[])
      .filter((v): v is PgTable => is(v, PgTable))
      .map((table) => getTableConfig(table))
      .filter((config) => config.columns.some((c) => c.name === rlsLintSettings.tenantColumn))
      .map((config) => `${config.schema ?? "public"}.${config.name}`);
    const generated = shapes.map((s) => s.table.qualified);
    for (const table of declared) assert.ok(generated.includes(table), `${table} is missing from the generated matrix`);
    assert.equal(cellCount, generated.length * 24);
    t.diagnostic(
      `isolation matrix: ${generated.length} tenant tables x 4 operations x 6 contexts = ${cellCount} cells, each with its BYPASSRLS control`,
    );
    for (const [table, cells] of summary) t.diagnostic(`${table}: ${cells.join("; ")}`);
  });
});
