import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { benchDir } from "./database";

/**
 * For the HTTP comparison only, on the bench database only: swaps the signed context functions for
 * the plain unsigned setting most RLS set-ups use (`current_setting(…)::uuid` in an inlinable SQL
 * function: no HMAC, no key lookup, no SECURITY DEFINER), then puts back exactly what the migrations
 * define (the latest definition in drizzle/, read from the files, CREATE made CREATE OR REPLACE so
 * grants stay). A marker file says a swap is in place, so a run that dies in between is repaired by
 * the next one (restoreSignedContext runs at every start and in `finally`).
 */
const markerFile = path.join(benchDir, "unsigned-context-in-place");
const migrationsDir = path.join(process.cwd(), "drizzle");
const swapped = ["app.current_tenant_id", "app.current_user_id"];

const unsignedDefinitions = [
  `create or replace function app.current_tenant_id() returns uuid language sql stable
     as $$ select nullif(pg_catalog.split_part(pg_catalog.current_setting('app.tenant_ctx', true), '.', 2), '')::uuid $$`,
  `create or replace function app.current_user_id() returns uuid language sql stable
     as $$ select nullif(pg_catalog.split_part(pg_catalog.current_setting('app.tenant_ctx', true), '.', 3), '')::uuid $$`,
];

/** The latest migration statement defining each swapped function, as CREATE OR REPLACE. */
export function signedDefinitions(): string[] {
  const statements = readdirSync(migrationsDir)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort()
    .flatMap((f) => readFileSync(path.join(migrationsDir, f), "utf8").split("--> statement-breakpoint"))
    .map((s) => s.replace(/^(\s*--.*\n)*\s*/, "").replace(/^CREATE FUNCTION/, "CREATE OR REPLACE FUNCTION"));
  return swapped.map((name) => {
    const statement = statements.findLast((s) => s.startsWith(`CREATE OR REPLACE FUNCTION ${name}()`));
    if (!statement)
      throw new Error(`no migration in ${migrationsDir} defines ${name}(): update bench/unsigned-context.ts`);
    return statement.trim();
  });
}

/** Runs the definitions as the owner; returns how many of the swapped functions are SECURITY DEFINER now. */
async function runAsOwner(ownerUrl: string, definitions: string[]): Promise<number> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    await owner.begin(async (tx) => {
      for (const definition of definitions) await tx.unsafe(definition);
    });
    const [row] = await owner<{ n: number }[]>`
      select count(*)::int as n from pg_proc p join pg_namespace s on s.oid = p.pronamespace
      where s.nspname || '.' || p.proname = any(${swapped}) and p.prosecdef`;
    return row?.n ?? 0;
  } finally {
    await owner.end();
  }
}

export async function restoreSignedContext(ownerUrl: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(markerFile)) return;
  const definers = await runAsOwner(ownerUrl, signedDefinitions());
  if (definers !== swapped.length)
    throw new Error(`restoring the signed context left ${definers} of ${swapped.length} functions SECURITY DEFINER`);
  rmSync(markerFile);
  log("Signed context functions restored (as drizzle/0000 defines them).");
}

export async function useUnsignedContext(ownerUrl: string): Promise<void> {
  signedDefinitions(); // fail before swapping if they could not be restored
  writeFileSync(markerFile, new Date().toISOString());
  await runAsOwner(ownerUrl, unsignedDefinitions);
}

export interface ContextFunctionCost {
  requests: number;
  callsPerRequest: number;
  microsecondsPerRequest: number;
  functions: { name: string; calls: number; selfMs: number }[];
}

/**
 * Calls and time of the signed context's functions while `run` makes `requests` requests, from
 * pg_stat_user_functions (track_functions = all on the bench cluster). The per-call time is the
 * functions' own time: verified_context() holds the HMAC check, current_tenant_id() and
 * current_user_id() wrap it.
 */
export async function contextFunctionCost(ownerUrl: string, run: () => Promise<number>): Promise<ContextFunctionCost> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  const read = () =>
    owner<{ name: string; calls: number; self_ms: number }[]>`
      select schemaname || '.' || funcname as name, calls::int, self_time as self_ms from pg_stat_user_functions
      where (schemaname, funcname) in (('app_private', 'verified_context'), ('app', 'current_tenant_id'), ('app', 'current_user_id'))`;
  try {
    await owner`select pg_stat_clear_snapshot()`;
    const before = await read();
    const requests = await run();
    // Backends flush their function statistics at most once a second, and an idle one within 10 s.
    await new Promise((r) => setTimeout(r, 11_000));
    await owner`select pg_stat_clear_snapshot()`;
    const after = await read();
    const functions = after.map((a) => {
      const b = before.find((x) => x.name === a.name);
      return { name: a.name, calls: a.calls - (b?.calls ?? 0), selfMs: a.self_ms - (b?.self_ms ?? 0) };
    });
    const verify = functions.find((f) => f.name === "app_private.verified_context");
    const totalMs = functions.reduce((t, f) => t + f.selfMs, 0);
    return {
      requests,
      callsPerRequest: (verify?.calls ?? 0) / requests,
      microsecondsPerRequest: (totalMs * 1000) / requests,
      functions,
    };
  } finally {
    await owner.end();
  }
}
