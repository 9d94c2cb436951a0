import type postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { isoTimestamp, oneStatementPerQuery, PoolTimeoutError, type AppDatabase } from "./client";
import type { ContextStatement } from "./context";
import { dbEnv } from "./env";
import * as schema from "./schema";
import {
  endTransactionSpan,
  startTransactionSpan,
  traceStatement,
  withinTransaction,
  type TransactionTrace,
} from "./telemetry";
import { together } from "./together";

/**
 * A transaction on one reserved connection in the fewest round trips the protocol allows: BEGIN, the
 * context statement (db/context.ts) and the body's first query are written together and answered
 * together, then COMMIT. postgres.js's sql.begin() (and so Drizzle's db.transaction() on a plain pool)
 * awaits BEGIN on its own first, and the context statement on its own after it: two round trips more.
 *
 * Two ways in:
 * - pipelinedDrizzle(pool).transaction(start, fn): fn gets a Drizzle transaction (withTenant, withUser).
 *   Built with Drizzle's public API only: drizzle({ client }) over the pool, whose begin() is the one
 *   here, and db.transaction(). See the adapter below for the two things it relies on.
 * - pipelinedTransaction(pool, start, body): body gets the postgres.js transaction client (agent SQL).
 *
 * Order is guaranteed: BEGIN and the context statement are queued before the body runs, and postgres.js
 * writes a connection's queries in the order they are started. Statements stay unnamed (db/client.ts);
 * one round trip for a parameterised statement relies on the driver patch (patches/postgres+3.4.9.patch).
 * tests/db/with-tenant-transaction.test.ts holds all of this to account on the wire.
 */
export interface TransactionStart {
  /** The first statement after BEGIN: the only way a transaction gets its context. */
  readonly context: ContextStatement;
  /** BEGIN READ ONLY (agent SQL, and withTenant's reads, which a hot standby can serve). */
  readonly readOnly?: boolean;
}

/** What Drizzle's session needs from postgres.js (unsafe, savepoint), on the transaction's connection. */
export type TransactionClient = postgres.TransactionSql & postgres.Sql;

/** The connection is gone (closed, reset, or the server ended the session with FATAL). */
export function connectionLost(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    if (typeof code === "string" && /^(CONNECTION_(CLOSED|DESTROYED|ENDED)|ECONNRESET|EPIPE)$/.test(code)) return true;
    if (severity === "FATAL" || severity === "PANIC") return true;
  }
  return false;
}

export class ConnectionLostError extends Error {
  constructor(commitSent = false, cause?: unknown) {
    super(
      `The database connection was lost inside this transaction; ${
        commitSent ? "its COMMIT was sent, so whether it took effect is unknown" : "nothing was committed"
      }.`,
      { cause },
    );
    this.name = "ConnectionLostError";
  }
}

/**
 * pool.reserve(), bounded: postgres.js would wait for a free connection for as long as it takes. A
 * connection that arrives after the wait gave up goes straight back to the pool.
 */
async function reserveWithin(pool: postgres.Sql, waitMs: number): Promise<postgres.ReservedSql> {
  const reserving = pool.reserve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PoolTimeoutError(waitMs)), waitMs);
  });
  try {
    return await Promise.race([reserving, timeout]);
  } catch (error) {
    reserving.then(
      (late) => late.release(),
      () => undefined,
    );
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export { PoolTimeoutError };

export class QueryAfterCommitError extends Error {
  constructor() {
    super("A query was sent after the transaction's COMMIT: withTenant's fn must await its queries.");
    this.name = "QueryAfterCommitError";
  }
}

/** One transaction's state, shared by the primitive, its transaction client and the Drizzle adapter. */
class TransactionState {
  lost = false;
  /** COMMIT (or ROLLBACK) is queued: any later query would run outside the transaction. */
  ending = false;
  /**
   * The body's last queries are known and not started yet (it returned one, or handed them to lastly()):
   * COMMIT is queued right behind the one that brings this count to zero.
   */
  queriesBeforeCommit = 0;
  queueCommit: () => void = () => undefined;
  trace: TransactionTrace | undefined;
}

/**
 * The body's client: the reserved connection, over the extended protocol only, with no more writes once
 * the connection is lost (postgres.js 3.4.9 throws an uncatchable TypeError when a query is written to
 * a reserved connection whose socket closed: porsager/postgres#1208) or once COMMIT is queued.
 */
function transactionClient(connection: postgres.ReservedSql, state: TransactionState): TransactionClient {
  let savepoints = 0;
  const extended = oneStatementPerQuery(connection);
  const client = new Proxy(extended, {
    get(target, property) {
      if (property === "unsafe") {
        return (...args: Parameters<postgres.Sql["unsafe"]>) => {
          if (state.lost) throw new ConnectionLostError();
          if (state.ending) throw new QueryAfterCommitError();
          const query = target.unsafe(...args);
          query.catch((e: unknown) => (state.lost ||= connectionLost(e)));
          if (state.trace) traceStatement(state.trace, args[0], query);
          if (state.queriesBeforeCommit > 0 && --state.queriesBeforeCommit === 0) {
            // postgres.js hands queries to the connection in the order they are started: this one first.
            // execute() returns the query itself, which is returned below for the caller to await (and
            // has its catch above): nothing is left floating.
            void query.execute();
            state.queueCommit();
          }
          return query;
        };
      }
      if (property === "savepoint") {
        return async <T>(fn: (sql: postgres.TransactionSql) => Promise<T>): Promise<T> => {
          const name = `s${savepoints++}`; // generated here: fixed text, never input
          await client.unsafe(`savepoint ${name}`);
          try {
            const result = await fn(client);
            await client.unsafe(`release savepoint ${name}`);
            return result;
          } catch (error) {
            if (!state.lost) await client.unsafe(`rollback to savepoint ${name}`);
            throw error;
          }
        };
      }
      if (property === "begin" || property === "prepare" || property === "release" || property === "reserve") {
        return () => {
          throw new Error(`${String(property)}() is not available inside a transaction`);
        };
      }
      return Reflect.get(target, property, target) as unknown;
    },
  }) as unknown as TransactionClient;
  return client;
}

type Fixed = "begin" | "begin read only" | "commit" | "rollback";

/**
 * BEGIN, COMMIT and ROLLBACK go over the simple protocol: one message and one reply each, no Parse,
 * Bind or Describe for the server to handle and the driver to build. Safe only because the text is
 * one of these four; everything else goes through oneStatementPerQuery.
 */
function fixed(connection: postgres.ReservedSql, state: TransactionState, text: Fixed) {
  if (state.lost) throw new ConnectionLostError();
  // On the raw connection, without parameters, postgres.js sends a simple Query message.
  const query = connection.unsafe(text);
  query.catch((e: unknown) => (state.lost ||= connectionLost(e)));
  if (state.trace) traceStatement(state.trace, text, query, false);
  return query;
}

/** A transaction inside its trace span (db/telemetry.ts: a no-op unless the app turned tracing on). */
async function run<T>(
  pool: postgres.Sql,
  start: TransactionStart,
  state: TransactionState,
  body: (client: TransactionClient) => Promise<T>,
): Promise<T> {
  const trace = startTransactionSpan({
    role: pool.options.user,
    tenantId: start.context.tenantId,
    userId: start.context.userId,
    readOnly: start.readOnly === true,
  });
  if (!trace) return runTransaction(pool, start, state, body);
  state.trace = trace;
  try {
    const result = await withinTransaction(trace, () => runTransaction(pool, start, state, body));
    endTransactionSpan(trace);
    return result;
  } catch (error) {
    endTransactionSpan(trace, error);
    throw error;
  }
}

async function runTransaction<T>(
  pool: postgres.Sql,
  start: TransactionStart,
  state: TransactionState,
  body: (client: TransactionClient) => Promise<T>,
): Promise<T> {
  const connection = await reserveWithin(pool, dbEnv().DB_POOL_TIMEOUT_MS);
  const client = transactionClient(connection, state);
  let commit: Promise<postgres.RowList<postgres.Row[]>> | undefined;
  state.queueCommit = () => {
    state.ending = true;
    commit = fixed(connection, state, "commit").execute();
    commit.catch(() => undefined); // awaited below
  };
  try {
    const opened = Promise.all([
      fixed(connection, state, start.readOnly ? "begin read only" : "begin").execute(),
      client.unsafe(start.context.text, start.context.params()).execute(),
    ]);
    // Awaited below; until then, a failure must not surface as an unhandled rejection.
    opened.catch(() => undefined);
    let result: T;
    try {
      try {
        result = await body(client);
      } finally {
        state.queriesBeforeCommit = 0;
      }
      await opened;
    } catch (error) {
      // A failed context statement aborts the transaction, and the body then fails with "current
      // transaction is aborted": report the cause, not the symptom.
      const openingError = await opened.then(
        () => undefined,
        (e: unknown) => e,
      );
      // A COMMIT already queued behind the failed query ends the transaction (as a rollback).
      if (commit) await commit.catch(() => undefined);
      else if (!state.lost) await fixed(connection, state, "rollback").catch(() => undefined);
      const cause = openingError ?? error;
      throw state.lost && !(cause instanceof ConnectionLostError) ? new ConnectionLostError(!!commit, cause) : cause;
    }
    if (!commit) state.queueCommit();
    const committed = await commit!.catch((error: unknown) => {
      throw state.lost ? new ConnectionLostError(true, error) : error;
    });
    // COMMIT of a transaction in which a statement failed (and the body swallowed the error) rolls back.
    if (committed.command !== "COMMIT") throw new Error("The transaction was rolled back: a statement in it failed.");
    return result;
  } finally {
    state.ending = true; // after a rollback too: the client is done for good
    // A lost connection stays out of the pool's open queue (postgres.js has already moved it to its
    // closed queue and reconnects on demand); releasing it would put the dead socket back.
    if (!state.lost) connection.release();
  }
}

/** A pipelined transaction whose body uses postgres.js directly (agent SQL, db/agent-sql.ts). */
export function pipelinedTransaction<T>(
  pool: postgres.Sql,
  start: TransactionStart,
  body: (client: TransactionClient) => Promise<T>,
): Promise<T> {
  return run(pool, start, new TransactionState(), body);
}

// ---------------------------------------------------------------------------------------------------
// The Drizzle adapter. It relies on two things of Drizzle's public behaviour, each checked on every
// transaction (and by the contract tests), so an upgrade that changes them fails loudly:
//
// 1. db.transaction(cb) calls client.begin(…) synchronously (drizzle-orm 0.45: PgDatabase.transaction
//    -> PostgresJsSession.transaction -> this.client.begin). The transaction's start (its context
//    statement) and state are handed to begin() through `handover` (one per database), set
//    immediately before the call and taken synchronously inside begin(). begin() without a handover
//    throws: no transaction starts without a context. If db.transaction() returns with the handover
//    untaken, the transaction is refused.
// 2. A Drizzle query is a thenable that is not a native Promise and runs when awaited: when fn returns
//    one, it is fn's last statement, so COMMIT can go right behind it (one round trip in all). If that
//    stops being true, the worst case is one round trip more (counted by the wire tests), or a later
//    query refused by QueryAfterCommitError, never a statement outside the transaction.
// ---------------------------------------------------------------------------------------------------

export type PipelinedTx = Parameters<Parameters<AppDatabase["transaction"]>[0]>[0];

export class MissingContextError extends Error {
  constructor() {
    super("A pipelined transaction was begun without a context statement: refused (fail closed).");
    this.name = "MissingContextError";
  }
}

export class BeginNotSynchronousError extends Error {
  constructor() {
    super(
      "Drizzle's db.transaction() did not call client.begin() synchronously, so the transaction's context " +
        "could not be handed over: refused. A drizzle-orm upgrade changed PostgresJsSession.transaction; " +
        "see db/pipelined-transaction.ts.",
    );
    this.name = "BeginNotSynchronousError";
  }
}

interface Handover {
  start: TransactionStart;
  state: TransactionState;
  taken: boolean;
}

/** fn returned a query it has not started: a thenable that is not a native Promise (a Drizzle query). */
function isUnstartedQuery(value: unknown): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    !(value instanceof Promise) &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

const states = new WeakMap<PipelinedTx, TransactionState>();

/**
 * The transaction's last statements, sent together (db/together.ts) with COMMIT in the same write: one
 * round trip for all of them and the end of the transaction. Only queries that have not started yet
 * (Drizzle queries, unawaited) can be counted; given anything else, COMMIT waits for the body as usual.
 * A query started after these is refused (QueryAfterCommitError), never run outside the transaction.
 */
export function lastly<T extends readonly unknown[] | []>(
  tx: PipelinedTx,
  statements: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const state = states.get(tx);
  if (state && statements.length > 0 && statements.every(isUnstartedQuery)) {
    state.queriesBeforeCommit = statements.length;
  }
  return together(statements);
}

export interface PipelinedDatabase {
  /** Runs fn in a pipelined transaction that starts with start.context. */
  transaction<T>(start: TransactionStart, fn: (tx: PipelinedTx) => Promise<T>): Promise<T>;
  /**
   * The Drizzle database underneath (for the contract tests). Its own transaction() without this
   * module's handover throws MissingContextError, and queries outside a transaction are refused.
   */
  readonly drizzle: AppDatabase;
}

export function pipelinedDrizzle(pool: postgres.Sql): PipelinedDatabase {
  let handover: Handover | undefined;
  function begin(...args: unknown[]): Promise<unknown> {
    const taken = handover;
    handover = undefined;
    if (!taken) throw new MissingContextError();
    taken.taken = true;
    const [body] = args;
    // Drizzle passes the callback alone; a transaction mode would be one this adapter does not honour.
    if (args.length !== 1 || typeof body !== "function") {
      throw new Error("The pipelined client's begin() takes only a callback.");
    }
    return run(pool, taken.start, taken.state, (client) =>
      (body as (c: TransactionClient) => Promise<unknown>)(client),
    );
  }
  function outsideTransaction(): never {
    throw new Error("This database runs queries inside pipelined transactions only.");
  }
  // The pool itself (Drizzle installs its value parsers and serializers on pool.options, which the
  // reserved connections share), except that begin() is the pipelined one.
  const client = new Proxy(pool, {
    get(target, property, receiver) {
      if (property === "begin") return begin;
      if (property === "unsafe") return outsideTransaction;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  const db: AppDatabase = drizzle({ client, schema });
  pool.options.parsers[1184] = isoTimestamp;

  return {
    drizzle: db,
    transaction<T>(start: TransactionStart, fn: (tx: PipelinedTx) => Promise<T>): Promise<T> {
      const state = new TransactionState();
      const mine: Handover = { start, state, taken: false };
      handover = mine;
      let transaction: Promise<T>;
      try {
        transaction = db.transaction((tx) => {
          states.set(tx, state);
          const returned = fn(tx);
          if (isUnstartedQuery(returned)) state.queriesBeforeCommit = 1;
          return returned;
        });
      } finally {
        // Whatever happened, the handover does not outlive this call.
        if (handover === mine) handover = undefined;
      }
      if (!mine.taken) {
        // A later, asynchronous begin() finds no handover and throws: nothing runs without a context.
        transaction.catch(() => undefined);
        return Promise.reject(new BeginNotSynchronousError());
      }
      return transaction;
    },
  };
}
