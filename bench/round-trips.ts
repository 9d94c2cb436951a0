import { derivedRolePassword } from "@/db/env";
import { benchQueries, type QueryName } from "./queries";
import { createVariants, type VariantName } from "./variants";
import { startWireCounter, type WireCounts } from "./wire";
import { drawParams, seededRandom, type Workload } from "./workload";

/**
 * Round trips and protocol messages per operation, counted on the wire: every variant's connections
 * go through the counting proxy (bench/wire.ts), one connection per pool, operations one at a time.
 * Must run before anything reads env() in this process: it points the app's role URL at the proxy.
 */
export interface RoundTrips {
  variant: VariantName;
  query: QueryName;
  perOperation: WireCounts;
}

function through(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return u.toString();
}

export async function countRoundTrips(
  appFilterUrl: string,
  variants: VariantName[],
  queries: QueryName[],
  workload: Workload,
  operations: number,
): Promise<RoundTrips[]> {
  const owner = new URL(process.env.DATABASE_URL!);
  const counter = await startWireCounter({ host: owner.hostname, port: Number(owner.port) });
  const app = new URL(through(owner.toString(), counter.port));
  app.username = "app_user";
  app.password = derivedRolePassword(process.env.TENANT_CONTEXT_SECRET!, "app_user");
  process.env.APP_DATABASE_URL = app.toString();
  process.env.DB_POOL_MAX = "1";
  const run = createVariants(through(appFilterUrl, counter.port), 1);
  const random = seededRandom(7);
  const out: RoundTrips[] = [];
  try {
    for (const query of queries) {
      for (const variant of variants) {
        // The first operations prepare the statements on the connection; count the steady state.
        for (let i = 0; i < 3; i++) await run.run[variant](benchQueries[query], drawParams(workload, random));
        counter.reset();
        for (let i = 0; i < operations; i++) await run.run[variant](benchQueries[query], drawParams(workload, random));
        const total = counter.counts();
        const perOperation: WireCounts = {
          roundTrips: total.roundTrips / operations,
          messages: Object.fromEntries(Object.entries(total.messages).map(([k, n]) => [k, n / operations])),
        };
        out.push({ variant, query, perOperation });
      }
    }
  } finally {
    await run.close();
    await counter.close();
  }
  return out;
}
