import { sql } from "drizzle-orm";
import { lastly, type TenantTx } from "@/db";

/**
 * The overview's figures, computed in SQL inside the caller's withTenant transaction: the last 30
 * days are today (UTC) and the 29 days before. Every query names the tenant explicitly as well.
 */
export const overviewDays = 30;

export interface DailyAgentCount {
  day: string;
  agentId: string;
  agentName: string;
  conversations: number;
}

export interface AgentFigures {
  agentId: string | null;
  agentName: string | null;
  conversations: number;
  averageSeconds: number;
}

export interface StatusCount {
  status: string;
  conversations: number;
}

const windowStart = sql`(((now() at time zone 'UTC')::date - ${overviewDays - 1}::int)::timestamp at time zone 'UTC')`;

/** Conversations per day per agent, a row for every day and every agent active in the window (zeros included). */
function dailyByAgent(tx: TenantTx, tenantId: string) {
  return tx.execute<DailyAgentCount & Record<string, unknown>>(sql`
    with days as (
      select d::date as day
      from generate_series((now() at time zone 'UTC')::date - ${overviewDays - 1}::int, (now() at time zone 'UTC')::date, interval '1 day') as d
    ), daily as (
      select (c.started_at at time zone 'UTC')::date as day, c.agent_id, count(*)::int as n
      from conversations c
      where c.tenant_id = ${tenantId} and c.started_at >= ${windowStart}
      group by 1, 2
    )
    select to_char(d.day, 'YYYY-MM-DD') as "day", a.id as "agentId", a.name as "agentName", coalesce(daily.n, 0) as "conversations"
    from days d
    cross join agents a
    left join daily on daily.day = d.day and daily.agent_id = a.id
    where a.tenant_id = ${tenantId} and a.id in (select agent_id from daily)
    order by d.day, a.name`);
}

/** Count and average duration per agent, and (agentId null) for all agents together. */
function figuresByAgent(tx: TenantTx, tenantId: string) {
  return tx.execute<AgentFigures & Record<string, unknown>>(sql`
    select a.id as "agentId", a.name as "agentName", count(*)::int as "conversations",
           round(avg(c.duration_seconds))::int as "averageSeconds"
    from conversations c
    join agents a on a.tenant_id = c.tenant_id and a.id = c.agent_id
    where c.tenant_id = ${tenantId} and c.started_at >= ${windowStart}
    group by grouping sets ((a.id, a.name), ())
    order by a.name nulls first`);
}

function statusBreakdown(tx: TenantTx, tenantId: string) {
  return tx.execute<StatusCount & Record<string, unknown>>(sql`
    select c.status::text as "status", count(*)::int as "conversations"
    from conversations c
    where c.tenant_id = ${tenantId} and c.started_at >= ${windowStart}
    group by c.status
    order by c.status`);
}

export async function overview(tx: TenantTx, tenantId: string) {
  // Independent statements, the transaction's last, sent together with COMMIT: one round trip for all.
  const [daily, figures, statuses] = await lastly(tx, [
    dailyByAgent(tx, tenantId),
    figuresByAgent(tx, tenantId),
    statusBreakdown(tx, tenantId),
  ]);
  const total = figures.find((f) => f.agentId === null);
  return {
    daily: [...daily],
    perAgent: figures.filter((f) => f.agentId !== null),
    total: { conversations: total?.conversations ?? 0, averageSeconds: total?.averageSeconds ?? 0 },
    statuses: [...statuses],
  };
}

export type Overview = Awaited<ReturnType<typeof overview>>;
