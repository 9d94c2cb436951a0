import type postgres from "postgres";
import type { CorpusContext } from "./attack-corpus";

/**
 * What the attack corpus needs to know about the data, read with the BYPASSRLS role: the ids to fill
 * in, and every marker of another tenant (ids, names) that must never appear in an answer to acme.
 */
export interface CorpusData {
  ctx: CorpusContext;
  foreignMarkers: string[];
}

export async function loadCorpusData(admin: postgres.Sql): Promise<CorpusData> {
  const tenants = await admin<{ id: string; slug: string; name: string }[]>`select id, slug, name from tenants`;
  const acme = tenants.find((t) => t.slug === "acme-health")!;
  const other = tenants.find((t) => t.slug === "globex-realty")!;
  const [conversation] = await admin<
    { id: string }[]
  >`select id from conversations where tenant_id = ${other.id} order by started_at desc limit 1`;
  const [count] = await admin<
    { n: number }[]
  >`select count(*)::int as n from conversations where tenant_id = ${acme.id}`;
  const acmeAgentNames = new Set(
    (await admin<{ name: string }[]>`select name from agents where tenant_id = ${acme.id}`).map((a) => a.name),
  );
  const foreignAgents = await admin<
    { id: string; name: string }[]
  >`select id, name from agents where tenant_id <> ${acme.id}`;
  const foreignConversations = await admin<
    { id: string }[]
  >`select id from conversations where tenant_id <> ${acme.id}`;
  const foreignMarkers = [
    ...tenants.filter((t) => t.id !== acme.id).flatMap((t) => [t.id, t.name]),
    ...foreignAgents.flatMap((a) => (acmeAgentNames.has(a.name) ? [a.id] : [a.id, a.name])),
    ...foreignConversations.map((c) => c.id),
  ];
  return {
    ctx: { acme: acme.id, other: other.id, otherConversation: conversation!.id, acmeConversations: count!.n },
    foreignMarkers,
  };
}

/**
 * The foreign markers found in a serialized answer (empty when it holds nothing of another tenant).
 * A marker the SQL itself contains is not counted: echoing the attacker's own literal leaks nothing.
 */
export function foreignMarkersIn(text: string, markers: string[], sql = ""): string[] {
  return markers.filter((m) => text.includes(m) && !sql.includes(m));
}
