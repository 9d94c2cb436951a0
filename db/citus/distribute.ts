import postgres from "postgres";
import type { DbEnv } from "../env";
import { currentTenantCall, installContextKeySql, tenantPredicate } from "../isolation";
import { contextKey, rolePassword, runtimeRoles } from "../migrate";
import { coordinatorTables, distributedTables, distributionColumn } from "./layout";

/**
 * `npm run db:distribute`: turns a migrated database on a Citus coordinator into the sharded layout of
 * ./layout.ts. Idempotent, and it works on an empty database as on one with data (create_distributed_table
 * moves the rows to the shards). Run it after `npm run db:migrate`, as the owner (a superuser: it runs
 * commands on the workers). Each step says what Citus needs and why:
 *
 * 1. The context key on every node: the verifier runs on the workers, where it must not read a Citus
 *    table ("cannot execute a distributed query from a query on a shard"), so each node has its own
 *    plain app_private.context_key with the same row, written with the statement db:migrate uses.
 * 2. The runtime roles on every node, with their passwords, and `citus.propagate_set_commands = 'local'`
 *    for the roles that set a tenant context: SET LOCAL (app.enter_tenant) then reaches the workers.
 * 3. The policies of the tables to distribute rewritten from the InitPlan form to the bare call, both
 *    taken from db/isolation.ts (Citus refuses subqueries in policies on distributed tables). A policy
 *    whose condition is anything else stops the command: it would need its own decision.
 * 4. Foreign keys from those tables to tables that stay on the coordinator (tenants) dropped: Citus
 *    cannot enforce a key from a distributed table to a local one. Rows still carry a tenant_id that
 *    RLS checks against the verified context; deleting a tenant no longer cascades to them.
 * 5. The search document's statement triggers on conversation_turns (transition tables, which a
 *    trigger on a shard cannot pass to a distributed query) replaced by the row trigger of
 *    drizzle/0020_citus_support.sql.
 * 6. create_distributed_table(…, 'tenant_id'), co-located with the first table, in foreign-key order;
 *    the coordinator's copy of the moved rows is then truncated.
 */
export async function distributeSchema(
  e: DbEnv,
  log: (line: string) => void = console.log,
  options: { shardCount?: number } = {},
): Promise<void> {
  if (!e.DATABASE_URL) throw new Error("DATABASE_URL (the owner connection to the coordinator) is required.");
  const owner = postgres(e.DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    const [citus] = await owner<{ version: string | null }[]>`
      select (select extversion from pg_extension where extname = 'citus') as version`;
    if (!citus?.version) {
      throw new Error(
        "The citus extension is not installed in this database: this is not a Citus coordinator (CREATE EXTENSION citus, with citus in shared_preload_libraries).",
      );
    }
    const workers = await owner<{ name: string; port: number }[]>`
      select nodename as name, nodeport as port from pg_dist_node where noderole = 'primary' and groupid <> 0 order by nodeid`;
    log(`Citus ${citus.version}; workers: ${workers.map((w) => `${w.name}:${w.port}`).join(", ") || "none"}`);

    await installKeyOnWorkers(owner, contextKey(e));
    log("Context key installed on every worker (app_private.context_key, a plain table per node).");

    await setUpRoles(owner, e);
    log(`Runtime roles on every node; SET LOCAL propagated for ${contextRoles.join(", ")}.`);

    await owner.begin(async (tx) => {
      await tx`set local citus.enable_unsafe_triggers = on`;
      // Shards per table (Citus's default, 32, unless given): more than the workers' cores lets a
      // tenant-heavy cluster grow by moving shards; every fanned-out query pays one task per shard.
      if (options.shardCount) await tx`select set_config('citus.shard_count', ${String(options.shardCount)}, true)`;
      const done = new Set(
        (
          await tx<{ name: string }[]>`
            select logicalrelid::regclass::text as name from pg_dist_partition where logicalrelid::regclass::text = any(${[...distributedTables]})`
        ).map((r) => r.name),
      );
      for (const table of distributedTables) {
        if (done.has(table)) continue;
        await rewritePolicies(tx, table, log);
        await dropKeysToCoordinatorTables(tx, table, log);
        if (table === "conversation_turns") await dropSearchStatementTriggers(tx);
      }
      const [first] = distributedTables;
      for (const table of distributedTables) {
        if (done.has(table)) continue;
        if (table === first) {
          await tx`select create_distributed_table(${table}, ${distributionColumn})`;
        } else {
          await tx`select create_distributed_table(${table}, ${distributionColumn}, colocate_with => ${first})`;
        }
        log(`Distributed ${table} by ${distributionColumn}${table === first ? "" : `, co-located with ${first}`}.`);
      }
      // After the move: the row trigger would fire on the copied rows, on shards of a table whose
      // distribution is not yet visible to the workers.
      if (!done.has("conversation_turns")) await createSearchRowTrigger(tx, log);
    });
    for (const table of distributedTables) {
      await owner`select truncate_local_data_after_distributing_table(${table}::regclass)`;
    }
    log(`Kept on the coordinator: ${Object.keys(coordinatorTables).join(", ")} (db/citus/layout.ts says why).`);
  } finally {
    await owner.end();
  }
}

/** The roles whose transactions set a tenant context (db/context.ts). */
const contextRoles = ["app_user", "agent_reader"] as const;

async function installKeyOnWorkers(owner: postgres.Sql, key: Buffer): Promise<void> {
  // run_command_on_workers takes the command as text: the key goes in as a literal quoted by format()
  // inside the database, from a bind parameter, never spliced into SQL by this code.
  // The schema itself came with the functions Citus propagated (app_private.verified_context).
  const commands = [
    "create table if not exists app_private.context_key (id boolean primary key default true check (id), key bytea not null)",
    "revoke all on app_private.context_key from public",
  ];
  for (const command of commands) await onWorkers(owner, command);
  const literal = installContextKeySql.replace("$1", "%L::bytea");
  const [install] = await owner<{ command: string }[]>`select format(${literal}, ${key}::bytea) as command`;
  await onWorkers(owner, install!.command);
}

/** Runs one command on every worker; throws with each failing worker's error. */
async function onWorkers(owner: postgres.Sql, command: string): Promise<void> {
  const results = await owner<{ node: string; success: boolean; result: string }[]>`
    select nodename || ':' || nodeport as node, success, result from run_command_on_workers(${command})`;
  const failed = results.filter((r) => !r.success);
  if (failed.length > 0) {
    throw new Error(`On ${failed.map((f) => `${f.node}: ${f.result}`).join("; ")}`);
  }
}

async function setUpRoles(owner: postgres.Sql, e: DbEnv): Promise<void> {
  // Citus propagates CREATE/ALTER ROLE from the coordinator; a role created before the workers joined
  // is copied when they do. Setting the passwords again here propagates them too (workers accept the
  // coordinator's connections as the same role).
  for (const role of runtimeRoles) {
    await owner`select app_private.set_login_password(${role}, ${rolePassword(role, e)})`;
  }
  for (const role of contextRoles) {
    await owner`alter role ${owner(role)} set citus.propagate_set_commands = 'local'`;
  }
  // Fixed text (the role names are this module's constants), run on the coordinator and on each worker.
  const summary = `select string_agg(r.rolname || ' ' || r.rolbypassrls || ' ' || coalesce(r.rolconfig::text, '') || ' ' || coalesce(a.rolpassword, ''), '; ' order by r.rolname) as summary
    from pg_roles r join pg_authid a on a.oid = r.oid where r.rolname in (${runtimeRoles.map((r) => `'${r}'`).join(", ")})`;
  const expected = await owner.unsafe<{ summary: string }[]>(summary);
  const onEachWorker = await owner<{ node: string; result: string }[]>`
    select nodename || ':' || nodeport as node, result from run_command_on_workers(${summary})`;
  for (const worker of onEachWorker) {
    if (worker.result !== expected[0]?.summary) {
      throw new Error(`The runtime roles on ${worker.node} differ from the coordinator's (settings or password).`);
    }
  }
}

/** The InitPlan form of the context call as PostgreSQL prints it in pg_policies. */
const initPlanCall = /\(\s*SELECT app\.current_tenant_id\(\) AS current_tenant_id\)/gi;

/** Whitespace, parentheses and the alias PostgreSQL gives an InitPlan column do not change a condition. */
const normalized = (expression: string) =>
  expression
    .toLowerCase()
    .replace(/\bas current_tenant_id\b/g, "")
    .replace(/[\s()]/g, "");

async function rewritePolicies(tx: postgres.TransactionSql, table: string, log: (line: string) => void): Promise<void> {
  const policies = await tx<{ name: string; qual: string | null; check: string | null }[]>`
    select policyname as name, qual, with_check as check from pg_policies where schemaname = 'public' and tablename = ${table}`;
  const singleNode = normalized(tenantPredicate("postgres"));
  const citus = normalized(tenantPredicate("citus"));
  // A policy is the tenant predicate, or the predicate ANDed with conditions on the row (the agent SQL
  // audit outcome's UPDATE policy): the InitPlan form becomes the bare call, the rest stays as it is.
  const onCitus = (expression: string | null): string | null => {
    if (expression === null) return null;
    const n = normalized(expression);
    if (n === singleNode || n === citus) return tenantPredicate("citus");
    const rewritten = expression.replace(initPlanCall, currentTenantCall("citus"));
    if (rewritten !== expression && normalized(rewritten).startsWith(`${citus}and`)) return rewritten;
    throw new Error(
      `Policy expression on ${table} is not the tenant predicate (${expression}); decide how it runs on Citus before distributing.`,
    );
  };
  for (const policy of policies) {
    // The expressions are the catalog's own text (pg_policies), not input: fixed text for tx.unsafe.
    const qual = onCitus(policy.qual);
    const check = onCitus(policy.check);
    if (qual !== null && check !== null) {
      await tx`alter policy ${tx(policy.name)} on ${tx(table)} using (${tx.unsafe(qual)}) with check (${tx.unsafe(check)})`;
    } else if (qual !== null) {
      await tx`alter policy ${tx(policy.name)} on ${tx(table)} using (${tx.unsafe(qual)})`;
    } else if (check !== null) {
      await tx`alter policy ${tx(policy.name)} on ${tx(table)} with check (${tx.unsafe(check)})`;
    }
  }
  log(`Policies of ${table}: ${policies.map((p) => p.name).join(", ")} use ${currentTenantCall("citus")}.`);
}

async function dropKeysToCoordinatorTables(
  tx: postgres.TransactionSql,
  table: string,
  log: (line: string) => void,
): Promise<void> {
  const keys = await tx<{ name: string; target: string }[]>`
    select conname as name, confrelid::regclass::text as target from pg_constraint
    where contype = 'f' and conrelid = ${table}::regclass and not (confrelid::regclass::text = any(${[...distributedTables]}))`;
  for (const key of keys) {
    await tx`alter table ${tx(table)} drop constraint ${tx(key.name)}`;
    log(`Dropped ${table}.${key.name} (a key into ${key.target}, which stays on the coordinator).`);
  }
}

async function dropSearchStatementTriggers(tx: postgres.TransactionSql): Promise<void> {
  for (const name of [
    "conversation_turns_search_insert",
    "conversation_turns_search_update",
    "conversation_turns_search_delete",
  ]) {
    await tx`drop trigger if exists ${tx(name)} on conversation_turns`;
  }
}

async function createSearchRowTrigger(tx: postgres.TransactionSql, log: (line: string) => void): Promise<void> {
  await tx`create trigger conversation_turns_search after insert or update or delete on conversation_turns
           for each row execute function app_private.conversation_turn_refresh_search()`;
  log("conversation_turns: the search document's statement triggers replaced by one row trigger.");
}
