import { sql } from "drizzle-orm";
import type { AppDatabase } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { benchQueries, type Executor, type QueryName } from "./queries";
import type { QueryParams } from "./workload";

/**
 * The plan of each query as it really runs: EXPLAIN ANALYZE inside the real withTenant (app_user,
 * signed context, RLS), with and without the explicit tenant filter, and as the BYPASSRLS app-filter
 * role for comparison. Every EXPLAIN runs in a transaction that is rolled back (the insert's too).
 */
const tenantTables = new Set([
  "agents",
  "api_keys",
  "audit_events",
  "conversation_turns",
  "conversations",
  "invitations",
  "memberships",
]);

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Recheck Cond"?: string;
  Filter?: string;
  "Rows Removed by Filter"?: number;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Parent Relationship"?: string;
  "Subplan Name"?: string;
  Plans?: PlanNode[];
}

export interface StatementPlan {
  /** One line per node, indented: "Limit", "  Index Scan using conversations_tenant_started_idx on conversations". */
  shape: string[];
  indexes: string[];
  seqScansOnTenantTables: string[];
  /** Whether a tenant_id condition is an index (or bitmap recheck) condition rather than a row filter. */
  tenantInIndexCondition: boolean;
  rowsRemovedByFilter: number;
  executionMs: number;
}

export interface QueryPlans {
  query: QueryName;
  label: string;
  withTenant: StatementPlan[];
  withTenantFilter: StatementPlan[];
  appFilter: StatementPlan[];
}

export interface PlanCase {
  query: QueryName;
  label: string;
  params: QueryParams;
}

function describe(node: PlanNode, depth: number, into: StatementPlan): void {
  const on = node["Relation Name"] ? ` on ${node["Relation Name"]}` : "";
  const using = node["Index Name"] ? ` using ${node["Index Name"]}` : "";
  const sub = node["Subplan Name"] ? ` [${node["Subplan Name"]}]` : "";
  const filter = node.Filter ? ` (filter, removed ${node["Rows Removed by Filter"] ?? 0})` : "";
  into.shape.push(
    `${"  ".repeat(depth)}${node["Node Type"]}${using}${on}${sub}${filter} rows=${node["Actual Rows"] ?? "?"}`,
  );
  if (node["Index Name"]) into.indexes.push(node["Index Name"]);
  if (node["Node Type"] === "Seq Scan" && node["Relation Name"] && tenantTables.has(node["Relation Name"]))
    into.seqScansOnTenantTables.push(node["Relation Name"]);
  if (/tenant_id/.test(`${node["Index Cond"] ?? ""} ${node["Recheck Cond"] ?? ""}`)) into.tenantInIndexCondition = true;
  into.rowsRemovedByFilter += (node["Rows Removed by Filter"] ?? 0) * (node["Actual Loops"] ?? 1);
  for (const child of node.Plans ?? []) describe(child, depth + 1, into);
}

class RollbackAfterExplain extends Error {}

async function explainAll(
  db: Executor,
  statements: ReturnType<(typeof benchQueries)[QueryName]["statements"]>,
): Promise<StatementPlan[]> {
  const plans: StatementPlan[] = [];
  for (const statement of statements) {
    const rows = await db.execute<{ "QUERY PLAN": [{ Plan: PlanNode; "Execution Time": number }] }>(
      sql`explain (analyze, format json) ${statement.getSQL()}`,
    );
    const [explained] = rows[0]!["QUERY PLAN"];
    const plan: StatementPlan = {
      shape: [],
      indexes: [],
      seqScansOnTenantTables: [],
      tenantInIndexCondition: false,
      rowsRemovedByFilter: 0,
      executionMs: explained["Execution Time"],
    };
    describe(explained.Plan, 0, plan);
    plans.push(plan);
  }
  return plans;
}

async function rolledBack<T>(
  run: (fn: (tx: Executor) => Promise<never>) => Promise<unknown>,
  body: (tx: Executor) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  try {
    await run(async (tx) => {
      result = await body(tx);
      throw new RollbackAfterExplain();
    });
  } catch (error) {
    if (!(error instanceof RollbackAfterExplain)) throw error;
  }
  return result!;
}

export async function explainQueries(appFilter: AppDatabase, cases: PlanCase[]): Promise<QueryPlans[]> {
  const out: QueryPlans[] = [];
  for (const { query, label, params } of cases) {
    const q = benchQueries[query];
    const inTenant = (filter: string | undefined) =>
      rolledBack(
        (fn) => withTenant(params.tenantId, fn),
        (tx) => explainAll(tx, q.statements(tx, { tenant: filter, rls: true }, params)),
      );
    out.push({
      query,
      label,
      withTenant: await inTenant(undefined),
      withTenantFilter: await inTenant(params.tenantId),
      appFilter: await rolledBack(
        (fn) => appFilter.transaction(fn),
        (tx) => explainAll(tx, q.statements(tx, { tenant: params.tenantId, rls: false }, params)),
      ),
    });
  }
  return out;
}
