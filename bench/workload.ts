import postgres from "postgres";

export { createRng as seededRandom } from "@/db/seed/demo-data";

/**
 * What each operation runs against: a random tenant (uniform over all tenants, so the whole data set
 * is touched, not one hot tenant), one of its agents, one of its conversations and a search term.
 * Random but seeded: two runs draw the same sequence.
 */
export interface TenantSample {
  id: string;
  agentId: string;
  conversationIds: string[];
  /** The candidate search terms that occur in this tenant's summaries. */
  searchTerms: string[];
}

export interface Workload {
  tenants: TenantSample[];
}

/** What one operation runs against, drawn from the workload (drawParams). */
export interface QueryParams {
  tenantId: string;
  agentId: string;
  conversationId: string;
  searchTerm: string;
}

/**
 * Candidate search terms: words of the seeded summaries (the three seeded verticals use different
 * words). Each tenant searches for the ones that occur in its own data, as its users would.
 */
export const candidateSearchTerms = [
  "transferred",
  "refund",
  "booked",
  "refill",
  "lease",
  "payment",
  "cancelled",
  "rescheduled",
  "haircut",
  "maintenance",
  "insurance",
  "deductible",
];

/** A word no summary contains: the search that finds nothing, the worst case under RLS (see bench/queries.ts). */
export const absentSearchTerm = "voicemail";

export async function loadWorkload(ownerUrl: string, options: { conversationsPerTenant: number }): Promise<Workload> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await owner<{ id: string; agent_id: string; conversation_ids: string[]; search_terms: string[] }[]>`
      select t.id,
             (select a.id from agents a where a.tenant_id = t.id order by a.id limit 1) as agent_id,
             array(select c.id from conversations c where c.tenant_id = t.id and c.caller <> 'bench-insert'
                   order by c.started_at desc limit ${options.conversationsPerTenant}) as conversation_ids,
             array(select w from unnest(${candidateSearchTerms}::text[]) w
                   where exists (select from conversations c where c.tenant_id = t.id
                                 and c.search @@ websearch_to_tsquery('pg_catalog.english', w))) as search_terms
      from tenants t
      order by t.id`;
    const tenants = rows
      .filter((r) => r.agent_id && r.conversation_ids.length > 0 && r.search_terms.length > 0)
      .map((r) => ({
        id: r.id,
        agentId: r.agent_id,
        conversationIds: r.conversation_ids,
        searchTerms: r.search_terms,
      }));
    if (tenants.length === 0) throw new Error("The bench database has no tenants with conversations: seed it first.");
    return { tenants };
  } finally {
    await owner.end();
  }
}

export function drawParams(workload: Workload, random: () => number): QueryParams {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const tenant = pick(workload.tenants);
  return {
    tenantId: tenant.id,
    agentId: tenant.agentId,
    conversationId: pick(tenant.conversationIds),
    searchTerm: pick(tenant.searchTerms),
  };
}

/** The first candidate search term that occurs in one tenant's conversations (for the HTTP search page). */
export async function searchTermOf(ownerUrl: string, tenantSlug: string): Promise<string> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await owner<{ term: string }[]>`
      select w as term from unnest(${candidateSearchTerms}::text[]) with ordinality as t(w, n)
      where exists (select from conversations c join tenants tn on tn.id = c.tenant_id
                    where tn.slug = ${tenantSlug} and c.search @@ websearch_to_tsquery('pg_catalog.english', w))
      order by n limit 1`;
    if (!row) throw new Error(`none of the candidate search terms occurs in tenant ${tenantSlug}`);
    return row.term;
  } finally {
    await owner.end();
  }
}
