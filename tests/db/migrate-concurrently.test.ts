import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { dbEnv } from "@/db/env";
import { migrateDatabase, migrationLockKey } from "@/db/migrate";

/**
 * Two instances (or two migrate jobs) that start at once: the runs take turns on an advisory lock, the
 * second finds nothing to do, and every migration is recorded once. Each case migrates a fresh scratch
 * database of the test cluster (dropped after). Control: Drizzle's migrator alone, twice at once,
 * breaks.
 */
const migrationsFolder = path.join(process.cwd(), "drizzle");
const journalEntries = (
  JSON.parse(readFileSync(path.join(migrationsFolder, "meta/_journal.json"), "utf8")) as { entries: unknown[] }
).entries.length;

const clusterOwnerUrl = dbEnv().DATABASE_URL!;
const cluster = postgres(clusterOwnerUrl, { max: 1, onnotice: () => undefined });
const scratchDatabases: string[] = [];

async function scratchDatabase(): Promise<{ url: string; env: ReturnType<typeof dbEnv> }> {
  const name = `rls_migrate_${randomBytes(4).toString("hex")}`;
  await cluster`create database ${cluster(name)}`;
  scratchDatabases.push(name);
  const url = new URL(clusterOwnerUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    env: {
      ...dbEnv(),
      DATABASE_URL: url.toString(),
      APP_DATABASE_URL: undefined,
      AGENT_DATABASE_URL: undefined,
      ADMIN_DATABASE_URL: undefined,
    },
  };
}

async function recordedMigrations(url: string): Promise<{ rows: number; distinct: number }> {
  const owner = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await owner<{ rows: number; distinct: number }[]>`
      select count(*)::int as rows, count(distinct hash)::int as distinct from drizzle.__drizzle_migrations`;
    return row!;
  } finally {
    await owner.end();
  }
}

after(async () => {
  for (const name of scratchDatabases) await cluster`drop database if exists ${cluster(name)} with (force)`;
  await cluster.end();
});

describe("migrations started by two instances at once", () => {
  it("run one after the other: the first applies every migration, the second finds nothing to do", async () => {
    const { url, env } = await scratchDatabase();
    const lines: string[] = [];
    const runs = await Promise.all([
      migrateDatabase(env, (line) => lines.push(line), migrationsFolder),
      migrateDatabase(env, (line) => lines.push(line), migrationsFolder),
    ]);
    const applied = runs.map((r) => r.applied).sort((a, b) => a - b);
    assert.deepEqual(applied, [0, journalEntries], `applied per run: ${applied.join(", ")}\n${lines.join("\n")}`);
    assert.ok(runs.every((r) => r.total === journalEntries));
    assert.deepEqual(await recordedMigrations(url), { rows: journalEntries, distinct: journalEntries });
    assert.ok(
      lines.some((l) => l.startsWith("Database schema already current")),
      lines.join("\n"),
    );
  });

  it("a run waits while another session holds the migration lock, and applies nothing until it is released", async () => {
    const { url, env } = await scratchDatabase();
    const holder = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      await holder`select pg_advisory_lock(${migrationLockKey.toString()}::bigint)`;
      let finished = false;
      const run = migrateDatabase(env, () => undefined, migrationsFolder).finally(() => (finished = true));
      // The run's session is queued on the advisory lock.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const [waiting] = await holder<{ n: number }[]>`
          select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and database = (
            select oid from pg_database where datname = current_database())`;
        if (waiting!.n > 0) break;
        assert.ok(Date.now() < deadline, "the run never queued on the migration lock");
        await new Promise((r) => setTimeout(r, 50));
      }
      const [table] = await holder<{ exists: boolean }[]>`
        select to_regclass('drizzle.__drizzle_migrations') is not null as exists`;
      assert.equal(table!.exists, false, "nothing is migrated while the lock is held");
      assert.equal(finished, false);
      await holder`select pg_advisory_unlock(${migrationLockKey.toString()}::bigint)`;
      const result = await run;
      assert.equal(result.applied, journalEntries);
    } finally {
      await holder.end();
    }
    assert.deepEqual(await recordedMigrations(url), { rows: journalEntries, distinct: journalEntries });
  });

  it("control: Drizzle's migrator without the lock, twice at once, fails or records migrations twice", async () => {
    const { url } = await scratchDatabase();
    const clients = [0, 1].map(() => postgres(url, { max: 1, onnotice: () => undefined }));
    try {
      const outcomes = await Promise.allSettled(
        clients.map((client) => migrate(drizzle({ client }), { migrationsFolder })),
      );
      const failures = outcomes.filter((o) => o.status === "rejected").length;
      const recorded = failures === 2 ? { rows: 0, distinct: 0 } : await recordedMigrations(url);
      assert.ok(
        failures > 0 || recorded.rows > recorded.distinct,
        `two unlocked runs both succeeded with ${recorded.rows} records of ${recorded.distinct} migrations`,
      );
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});
