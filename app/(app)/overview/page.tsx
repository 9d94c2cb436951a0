import type { Metadata } from "next";
import { DailyStackedBars, type DailySeries } from "@/components/charts/daily-stacked-bars";
import { HorizontalBars } from "@/components/charts/horizontal-bars";
import { StatusBreakdown } from "@/components/charts/status-breakdown";
import { Card, EmptyState, PageHeader, TextLink } from "@/components/ui";
import { formatDuration } from "@/lib/format";
import { overview, overviewDays } from "@/features/overview/figures";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Overview" };

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Card className="p-4">
      <dt className="text-sm text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </Card>
  );
}

export default async function OverviewPage() {
  const session = await requireTenant("conversations.read");
  const data = await withSessionTenant(session, (tx) => overview(tx, session.tenantId), { read: true });
  const { total, statuses, perAgent } = data;
  const rate = (status: string) => {
    const n = statuses.find((s) => s.status === status)?.conversations ?? 0;
    return total.conversations === 0 ? "–" : `${Math.round((n / total.conversations) * 100)}%`;
  };

  const days = [...new Set(data.daily.map((d) => d.day))];
  const seriesById = new Map<string, DailySeries>();
  for (const row of data.daily) {
    const s = seriesById.get(row.agentId) ?? { id: row.agentId, name: row.agentName, values: [] };
    s.values.push(row.conversations);
    seriesById.set(row.agentId, s);
  }
  const series = [...seriesById.values()];
  const colorOf = new Map(series.map((s, i) => [s.id, i]));

  return (
    <div className="space-y-6">
      <PageHeader title="Overview">
        <p className="text-sm text-slate-500 dark:text-slate-400">Last {overviewDays} days, UTC</p>
      </PageHeader>
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Conversations" value={total.conversations.toLocaleString("en-US")} testId="stat-conversations" />
        <Stat
          label="Average duration"
          value={total.conversations ? formatDuration(total.averageSeconds) : "–"}
          testId="stat-average-duration"
        />
        <Stat label="Completed" value={rate("completed")} testId="stat-completed" />
        <Stat label="Escalated to a person" value={rate("escalated")} testId="stat-escalated" />
      </dl>
      {total.conversations === 0 ? (
        <EmptyState data-testid="overview-empty">
          No conversations in the last {overviewDays} days. Charts appear here once your{" "}
          <TextLink href="/agents">agents</TextLink> handle calls and chats.
        </EmptyState>
      ) : (
        <>
          <Card title="Conversations per day, by agent" headingId="daily-heading">
            <DailyStackedBars
              id="daily-chart"
              title={`Conversations per day by agent, last ${overviewDays} days`}
              description={`${total.conversations} conversations across ${series.length} agents; busiest day ${Math.max(...days.map((_, d) => series.reduce((n, s) => n + (s.values[d] ?? 0), 0)))} conversations.`}
              days={days}
              series={series}
            />
          </Card>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="Average duration, by agent" headingId="duration-heading">
              <HorizontalBars
                id="duration-bars"
                title="Average conversation duration by agent"
                items={perAgent.map((a) => ({
                  id: a.agentId ?? "all",
                  label: a.agentName ?? "All agents",
                  value: a.averageSeconds,
                  display: formatDuration(a.averageSeconds),
                  colorIndex: colorOf.get(a.agentId ?? "") ?? 0,
                }))}
              />
            </Card>
            <Card title="Status breakdown" headingId="status-heading">
              <StatusBreakdown id="status-chart" title="Conversations by status" statuses={statuses} />
            </Card>
          </div>
        </>
      )}
    </div>
  );
}
