import { databaseReadiness } from "@/db";
import { isDraining } from "@/lib/shutdown";
import journal from "@/drizzle/meta/_journal.json";

// Readiness: 200 when this instance can serve requests (db/readiness.ts: the database answers as
// app_user, this build's migrations are applied, the context key verifies this server's tokens);
// otherwise 503 with the reason, and also once a shutdown has begun. The newest migration this build
// ships is read from the migrations' journal at build time: the server reads no file for it.
export const dynamic = "force-dynamic";

const latestMigration = Math.max(...journal.entries.map((entry) => entry.when));
const noStore = { "Cache-Control": "no-store" };

export async function GET(): Promise<Response> {
  if (isDraining())
    return Response.json({ status: "not ready", reason: "shutting down" }, { status: 503, headers: noStore });
  const readiness = await databaseReadiness({ latestMigration, timeoutMs: 3000 });
  return readiness.ready
    ? Response.json(
        { status: "ready", role: readiness.role, migration: readiness.latestMigration },
        { headers: noStore },
      )
    : Response.json({ status: "not ready", reason: readiness.reason }, { status: 503, headers: noStore });
}
