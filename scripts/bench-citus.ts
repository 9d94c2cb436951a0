import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { distributeSchema } from "@/db/citus/distribute";
import { distributedTables } from "@/db/citus/layout";
import { parseDbEnv } from "@/db/env";
import { tenantPredicate } from "@/db/isolation";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed/seed";
import { citusInstalled, citusInstallHint, startCitusCluster } from "../tests/support/citus";

/**
 * npm run bench:citus [-- --tenants 10 --conversations 1000 --iterations 300]: the conversations list page
 * (withTenant + listConversations) on the same machine, binaries and data, three ways: the coordinator's
 * tables before distribution (single-node PostgreSQL 15, InitPlan policies, set_config), the same with the
 * bare policy call, then distributed (Citus, app.enter_tenant). Also a query with only RLS to narrow it
 * (every shard) against the same query with the tenant filter (one shard). docs/scale-out.md has figures.
 */
const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "10" },
    conversations: { type: "string", default: "1000" },
    iterations: { type: "string", default: "300" },
  },
});
if (!citusInstalled()) {
  console.error(`Citus is not installed: ${citusInstallHint}`);
  process.exit(2);
}
const secret = randomBytes(32).toString("base64url");
const dir = mkdtempSync(path.join(os.tmpdir(), "rls-starter-bench-citus-"));
chmodSync(dir, 0o755);
const cluster = await startCitusCluster(dir, console.log);

type Summary = { p50: number; p95: number };
function phase(
  name: string,
  citus: boolean,
): Promise<{ name: string; list: Summary; rlsOnly: Summary; routed: Summary }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/citus-list.ts"], {
      env: {
        ...process.env,
        DATABASE_URL: cluster.url,
        TENANT_CONTEXT_SECRET: secret,
        DB_CITUS: String(citus),
        DB_POOL_MAX: "1",
        BENCH_ITERATIONS: values.iterations,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("CITUS_BENCH "));
      if (code !== 0 || !line) return reject(new Error(`${name}: exited with ${code}\n${out}`));
      resolve({
        name,
        ...(JSON.parse(line.slice("CITUS_BENCH ".length)) as Omit<Awaited<ReturnType<typeof phase>>, "name">),
      });
    });
  });
}

try {
  const e = parseDbEnv({ DATABASE_URL: cluster.url, TENANT_CONTEXT_SECRET: secret });
  await migrateDatabase(e);
  await seedDatabase(cluster.url, {
    tenants: Number(values.tenants),
    conversationsPerTenant: Number(values.conversations),
    reset: true,
  });
  const results = [await phase("single-node, InitPlan policy, set_config", false)];
  const owner = postgres(cluster.url, { max: 1, onnotice: () => undefined });
  for (const table of distributedTables) {
    for (const p of await owner<{ name: string; qual: string | null; check: string | null }[]>`
      select policyname as name, qual, with_check as check from pg_policies where tablename = ${table}`) {
      const bare = owner.unsafe(tenantPredicate("citus"));
      if (p.qual) await owner`alter policy ${owner(p.name)} on ${owner(table)} using (${bare})`;
      if (p.check) await owner`alter policy ${owner(p.name)} on ${owner(table)} with check (${bare})`;
    }
  }
  await owner.end();
  results.push(await phase("single-node, bare policy call, set_config", false));
  await distributeSchema({ ...e, DB_CITUS: true });
  results.push(await phase("Citus, 2 workers x 32 shards, app.enter_tenant", true));
  const ms = (s: Summary) => `${s.p50.toFixed(2)} / ${s.p95.toFixed(2)}`;
  console.log(
    `\n${values.tenants} tenants x ${values.conversations} conversations, ${values.iterations} iterations each, one connection; p50 / p95 ms`,
  );
  console.log("| setup | list page (tenant filter) | count, RLS only | count, tenant filter |");
  console.log("|---|---|---|---|");
  for (const r of results) console.log(`| ${r.name} | ${ms(r.list)} | ${ms(r.rlsOnly)} | ${ms(r.routed)} |`);
} finally {
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
