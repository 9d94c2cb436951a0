import { readFileSync, writeFileSync } from "node:fs";
import { closePools, drizzleOn, rawPool } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { createApiKey } from "@/features/api-keys/store";
import { measure, type MeasureOptions } from "./measure";
import { explainQueries, type PlanCase } from "./plans";
import { benchQueries, type QueryName } from "./queries";
import { countRoundTrips } from "./round-trips";
import { appUserLikePool, createVariants, type VariantName } from "./variants";
import { drawParams, loadWorkload, seededRandom } from "./workload";

/**
 * One measurement in a process of its own: the app code reads its environment once (dbEnv(), env()), so each
 * database (the default one, each scaling one) and the proxied round-trip count get a fresh process
 * whose DATABASE_URL and role URLs point where that job needs them. Run by scripts/bench.ts:
 * `node --import tsx bench/job.ts <job.json> <result.json>`.
 */
export type Job =
  | { kind: "measure"; appFilterUrl: string; options: MeasureOptions; conversationsPerTenant: number }
  | { kind: "round-trips"; appFilterUrl: string; variants: VariantName[]; queries: QueryName[]; operations: number }
  | { kind: "plans"; appFilterUrl: string; queries: QueryName[]; tenantSlug: string }
  | { kind: "api-key"; tenantSlug: string };

/** An API key for the HTTP run, made the way `npm run apikey -- create` makes one (scripts/apikey.ts). */
async function createBenchApiKey(tenantSlug: string): Promise<{ key: string }> {
  const [tenant] = await rawPool("platform_admin")<{ id: string }[]>`select id from tenants where slug = ${tenantSlug}`;
  if (!tenant) throw new Error(`no tenant ${tenantSlug} in the bench database`);
  const created = await withTenant(tenant.id, (tx) =>
    createApiKey(tx, { tenantId: tenant.id, name: `bench ${new Date().toISOString()}`, createdBy: null }),
  );
  return { key: created.key };
}

async function runJob(job: Job): Promise<unknown> {
  if (job.kind === "api-key") return createBenchApiKey(job.tenantSlug);
  const workload = await loadWorkload(process.env.DATABASE_URL!, {
    conversationsPerTenant: job.kind === "measure" ? job.conversationsPerTenant : 5,
  });
  switch (job.kind) {
    case "measure": {
      const variants = createVariants(job.appFilterUrl, job.options.concurrency);
      try {
        return await measure(variants, workload, job.options, (line) => console.log(line));
      } finally {
        await variants.close();
      }
    }
    case "round-trips":
      return countRoundTrips(job.appFilterUrl, job.variants, job.queries, workload, job.operations);
    case "plans": {
      const pool = appUserLikePool(job.appFilterUrl, 1, "bench:plans");
      try {
        const [tenant] = await pool<{ id: string }[]>`select id from tenants where slug = ${job.tenantSlug}`;
        const sample = workload.tenants.find((t) => t.id === tenant?.id) ?? workload.tenants[0]!;
        const base = drawParams({ tenants: [sample] }, seededRandom(11));
        const cases: PlanCase[] = job.queries.map((query) => ({
          query,
          label: query === "search" ? `${benchQueries.search.label}: '${base.searchTerm}'` : benchQueries[query].label,
          params: base,
        }));
        return { tenantSlug: job.tenantSlug, plans: await explainQueries(drizzleOn(pool), cases) };
      } finally {
        await pool.end({ timeout: 5 });
      }
    }
  }
}

const [jobFile, resultFile] = process.argv.slice(2);
if (!jobFile || !resultFile) {
  console.error("usage: node --import tsx bench/job.ts <job.json> <result.json>");
  process.exit(2);
}
try {
  const result = await runJob(JSON.parse(readFileSync(jobFile, "utf8")) as Job);
  writeFileSync(resultFile, JSON.stringify(result));
} finally {
  await closePools();
}
