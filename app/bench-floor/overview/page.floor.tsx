import { overview } from "@/features/overview/figures";
import { PlainRows, inSessionTenant } from "../floor";

/** The overview's floor: session, withTenant and its three aggregates, as plain rows. */
export default async function OverviewFloorPage() {
  const data = await inSessionTenant((tx, tenantId) => overview(tx, tenantId));
  return (
    <PlainRows
      rows={[
        ...data.daily.map((d) => ({ key: `${d.day}|${d.agentId}`, cells: [d.day, d.agentName, d.conversations] })),
        ...data.perAgent.map((a) => ({ key: a.agentId ?? "all", cells: [a.agentName ?? "all", a.averageSeconds] })),
        ...data.statuses.map((s) => ({ key: s.status, cells: [s.status, s.conversations] })),
      ]}
    />
  );
}
