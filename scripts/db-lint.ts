import { parseArgs } from "node:util";
import postgres from "postgres";
import { formatFinding, rules, runRlsLint } from "@/db/rls-lint";
import { devSecrets, embeddedOwnerUrl, ensureDatabase, loadDotEnv } from "@/db/dev-environment";
import type { EmbeddedServer } from "@/db/embedded";

// npm run db:lint [-- --json | --rules]: lints the database in use (DATABASE_URL, else the embedded
// development database, started for the lint when the dev server is not running).
// Exit code: 0 with no findings, 1 with findings, 2 when the lint could not run.
const { values } = parseArgs({
  options: { json: { type: "boolean", default: false }, rules: { type: "boolean", default: false } },
});

if (values.rules) {
  for (const rule of rules) console.log(`${rule.id}: ${rule.checks}`);
  process.exit(0);
}

async function reachable(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

loadDotEnv();
let server: EmbeddedServer | undefined;
let exitCode = 2;
try {
  if (!process.env.DATABASE_URL) {
    const secrets = devSecrets();
    const running = embeddedOwnerUrl(secrets.postgresPassword);
    if (await reachable(running)) process.env.DATABASE_URL = running;
    else server = await ensureDatabase(secrets);
  }
  const sql = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
  try {
    const { findings, catalog } = await runRlsLint(sql);
    if (values.json) {
      console.log(JSON.stringify({ database: catalog.database, count: findings.length, findings }, null, 2));
    } else {
      for (const finding of findings) console.log(formatFinding(finding));
      console.log(`${findings.length} finding${findings.length === 1 ? "" : "s"}`);
    }
    exitCode = findings.length === 0 ? 0 : 1;
  } finally {
    await sql.end();
  }
} catch (error) {
  console.error(`db:lint could not run: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await server?.stop();
}
process.exit(exitCode);
