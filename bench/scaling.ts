import postgres from "postgres";
import { prepareDatabase, withDatabase, type BenchSecrets } from "./database";

/**
 * Data sets for the scaling figures: one database per (rows, tenants) in the bench cluster, made
 * server-side with generate_series (no transcripts: the list and search queries do not read them).
 * Rows arrive in time order, round-robin over tenants, as a live system writes them: a tenant's
 * newest rows are spread over the heap, not packed together as a per-tenant bulk load would leave them.
 */
export interface ScaleConfig {
  rows: number;
  tenants: number;
}

export const defaultScaleConfigs: ScaleConfig[] = [
  { rows: 100_000, tenants: 1_000 },
  { rows: 1_000_000, tenants: 1_000 },
  { rows: 1_000_000, tenants: 10 },
  { rows: 1_000_000, tenants: 100_000 },
];

/** Data sets left out of the default run, with the reason printed and recorded as "not run". */
export const optInScaleConfigs: { config: ScaleConfig; why: string }[] = [
  {
    config: { rows: 10_000_000, tenants: 1_000 },
    why: "opt-in (--scale 10M:1000): 1M rows took 80 s to generate on 2 cores, so 10M takes about 15 minutes once, more than a default run allows per data set",
  },
];

const units: Record<string, number> = { k: 1_000, m: 1_000_000 };
function count(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`not a count: ${text}`);
  return Math.round(Number(m[1]) * (units[m[2]!.toLowerCase()] ?? 1));
}

/** "100k:1000,1M:10" -> rows:tenants pairs. */
export function parseScaleConfigs(text: string): ScaleConfig[] {
  return text.split(",").map((pair) => {
    const [rows, tenants] = pair.split(":");
    if (!rows || !tenants) throw new Error(`--scale expects rows:tenants pairs, e.g. 1M:1000; got ${pair}`);
    return { rows: count(rows), tenants: count(tenants) };
  });
}

export const scaleLabel = (c: ScaleConfig) =>
  `${c.rows.toLocaleString("en-US")} rows / ${c.tenants.toLocaleString("en-US")} tenants`;
const databaseName = (c: ScaleConfig) => `scale_${c.rows}_${c.tenants}`;

// Summary phrases: each action word is in 1 summary of `actions.length`, "deductible" in 1 of 40.
const actions = [
  "booked an appointment",
  "rescheduled a visit",
  "cancelled an appointment",
  "requested a refill",
  "asked about insurance coverage",
  "was transferred to billing",
  "asked for a refund",
  "left a message",
];
const details = [
  "for next Tuesday",
  "with Dr. Patel",
  "at the north clinic",
  "after the holidays",
  "for a family member",
  "before noon",
];

export async function ensureScaleDatabase(
  clusterOwnerUrl: string,
  secrets: BenchSecrets,
  config: ScaleConfig,
  log: (line: string) => void,
): Promise<string> {
  const name = databaseName(config);
  const url = withDatabase(clusterOwnerUrl, name);
  const admin = postgres(withDatabase(clusterOwnerUrl, "postgres"), { max: 1, onnotice: () => undefined });
  try {
    const [exists] = await admin<
      { ok: boolean }[]
    >`select exists (select from pg_database where datname = ${name}) as ok`;
    if (!exists?.ok) await admin`create database ${admin(name)}`;
  } finally {
    await admin.end();
  }
  await prepareDatabase(url, secrets, () => undefined);
  const owner = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [state] = await owner<{ tenants: number; rows: number }[]>`
      select (select count(*)::int from tenants) as tenants, (select count(*)::int from conversations) as rows`;
    if (state?.tenants === config.tenants && state.rows === config.rows) return url;
    log(`Generating ${scaleLabel(config)} in database ${name} (once; reused by later runs) …`);
    const t0 = Date.now();
    // CASCADE: as db/seed/seed.ts does, every table that references tenants or users goes too.
    await owner`truncate tenants, users cascade`;
    // Secondary indexes only: the primary key backs the transcripts' foreign key and stays.
    const indexes = await owner<{ name: string; definition: string }[]>`
      select i.relname as name, pg_get_indexdef(i.oid) as definition
      from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = 'public.conversations'::regclass
        and not exists (select from pg_constraint c where c.conindid = x.indexrelid)`;
    // Bulk load: secondary indexes rebuilt afterwards, FK triggers skipped (the owner is superuser in
    // the embedded cluster; agent ids are drawn from the tenant's own agents). Replica mode skips the
    // search trigger too (drizzle/0005): the insert writes the document the trigger would build from a
    // summary without turns.
    await owner.begin(async (tx) => {
      await tx`set local maintenance_work_mem = '512MB'`;
      await tx`set local session_replication_role = replica`;
      for (const index of indexes) await tx`drop index ${tx(index.name)}`;
      await tx`insert into tenants (id, slug, name)
               select gen_random_uuid(), 'scale-' || lpad(i::text, 6, '0'), 'Scale tenant ' || i from generate_series(1, ${config.tenants}::int) i`;
      await tx`insert into agents (tenant_id, id, name, channel, vertical)
               select t.id, gen_random_uuid(), 'Agent ' || a, (case when a = 3 then 'chat' else 'voice' end)::channel, 'healthcare'
               from tenants t, generate_series(1, 3) a`;
      await tx`create temporary table tenant_slots on commit drop as
               select (row_number() over (order by id)) - 1 as slot, id, array(select a.id from agents a where a.tenant_id = t.id order by a.id) as agent_ids
               from tenants t`;
      await tx`create index on tenant_slots (slot)`;
      await tx`
        insert into conversations (tenant_id, id, agent_id, channel, caller, status, started_at, duration_seconds, summary, search)
        select tenant_id, id, agent_id, channel, caller, status, started_at, duration_seconds, summary,
               setweight(to_tsvector('pg_catalog.english', summary), 'A')
        from (
          select s.id as tenant_id, gen_random_uuid() as id, s.agent_ids[1 + (i / ${config.tenants}::int) % 3] as agent_id, 'voice'::channel as channel,
                 '+1 555-01' || lpad((i % 100)::text, 2, '0') as caller,
                 (array['completed','completed','completed','escalated','abandoned','failed'])[1 + (i * 7) % 6]::conversation_status as status,
                 now() - ((${config.rows}::bigint - i) * (59 * 86400)::bigint / ${config.rows}::bigint) * interval '1 second' as started_at,
                 30 + (i * 13) % 600 as duration_seconds,
                 'Caller ' || (${actions}::text[])[1 + (i * 11) % ${actions.length}::int] || ' ' || (${details}::text[])[1 + (i * 5) % ${details.length}::int]
                   || case when i % 40 = 3 then '; asked whether the deductible applies.' else '.' end as summary
          from generate_series(0, ${config.rows}::int - 1) i
          join tenant_slots s on s.slot = i % ${config.tenants}::int
        ) generated`;
      for (const index of indexes) await tx.unsafe(index.definition);
    });
    await owner`vacuum analyze`;
    log(`Generated in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
    return url;
  } finally {
    await owner.end();
  }
}
