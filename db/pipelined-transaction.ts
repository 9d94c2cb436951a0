import postgres from "postgres";
import {
  createTableRelationsHelpers,
  entityKind,
  extractTablesRelationalConfig,
  type ExtractTablesWithRelations,
} from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { PostgresJsSession, PostgresJsTransaction } from "drizzle-orm/postgres-js";
import { oneStatementPerQuery, type AppDatabase } from "./client";
import * as schema from "./schema";

/**
 * A Drizzle transaction on one reserved connection in the fewest round trips the protocol allows:
 * BEGIN, the opening statements (withTenant's context) and fn's first query are written together and
 * answered together, then COMMIT. Drizzle's db.transaction() (postgres.js begin()) awaits BEGIN on its
 * own first, and the opening statement on its own after it: two round trips more.
 *
 * When fn returns a Drizzle query it has not run (`(tx) => tx.select()…`, not awaited), that query is
 * the transaction's only statement, so COMMIT is written right behind it: the whole transaction is one
 * round trip. A query that fn awaits cannot be followed that way (fn may send another after it), so
 * COMMIT then goes out once fn's promise settles: two round trips.
 *
 * Order is guaranteed: BEGIN and the opening statements are queued before fn runs, and postgres.js
 * writes a connection's queries in the order they are queued. Statements stay unnamed (see
 * db/client.ts); one round trip each relies on the driver patch in patches/postgres+3.4.9.patch.
 */
type Tables = ExtractTablesWithRelations<typeof schema>;
type TransactionClient = postgres.TransactionSql & postgres.Sql;
export type PipelinedTx = PostgresJsTransaction<typeof schema, Tables>;

const dialect = new PgDialect();
const tablesConfig = extractTablesRelationalConfig<Tables>(schema, createTableRelationsHelpers);
const relationalSchema = { fullSchema: schema, schema: tablesConfig.tables, tableNamesMap: tablesConfig.tableNamesMap };

/** The connection is gone (closed, reset, or the server ended the session with FATAL). */
function connectionLost(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    if (typeof code === "string" && /^(CONNECTION_(CLOSED|DESTROYED|ENDED)|ECONNRESET|EPIPE)$/.test(code)) return true;
    if (severity === "FATAL" || severity === "PANIC") return true;
  }
  return false;
}

export class ConnectionLostError extends Error {
  constructor() {
    super("The database connection was lost inside this transaction; nothing was committed.");
    this.name = "ConnectionLostError";
  }
}

interface ConnectionState {
  lost: boolean;
  /** Set while fn's returned, unstarted query is being started: COMMIT is queued right behind it. */
  commitBehindNextQuery?: () => void;
  /** COMMIT (or ROLLBACK) is queued: any later query would run outside the transaction. */
  ending: boolean;
}

/**
 * What Drizzle's transaction object needs from postgres.js (unsafe, savepoint), on a reserved
 * connection, over the extended protocol only, and with no more writes once the connection is lost
 * (postgres.js 3.4.9 throws an uncatchable TypeError when a query is written to a reserved connection
 * whose socket closed: porsager/postgres#1208).
 */
function transactionClient(connection: postgres.ReservedSql, state: ConnectionState): TransactionClient {
  let savepoints = 0;
  const extended = oneStatementPerQuery(connection);
  const client = new Proxy(extended, {
    get(target, property) {
      if (property === "unsafe") {
        return (...args: Parameters<postgres.Sql["unsafe"]>) => {
          if (state.lost) throw new ConnectionLostError();
          if (state.ending)
            throw new Error("A query was sent after the transaction's COMMIT: withTenant's fn must await its queries.");
          const query = target.unsafe(...args);
          query.catch((e: unknown) => (state.lost ||= connectionLost(e)));
          const commitBehind = state.commitBehindNextQuery;
          if (commitBehind) {
            state.commitBehindNextQuery = undefined;
            // postgres.js hands queries to the connection in the order they are started: this one first.
            // execute() returns the query itself, which is returned below for the caller to await (and
            // has its catch above): nothing is left floating.
            void query.execute();
            commitBehind();
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

/**
 * BEGIN, COMMIT and ROLLBACK go over the simple protocol: one message and one reply each, no Parse,
 * Bind or Describe for the server to handle and the driver to build. Safe only because the text is
 * fixed here; everything else goes through oneStatementPerQuery.
 */
function fixed(connection: postgres.ReservedSql, state: ConnectionState, text: "begin" | "commit" | "rollback") {
  if (state.lost) throw new ConnectionLostError();
  // On the raw connection, without parameters, postgres.js sends a simple Query message.
  const query = connection.unsafe(text);
  query.catch((e: unknown) => (state.lost ||= connectionLost(e)));
  return query;
}

/**
 * A Drizzle query object (select, insert, update, delete, relational query, tx.execute): it runs when
 * awaited, as one statement, so nothing of fn's can follow it. A select is a QueryPromise by mixin,
 * not by class, hence the shape test rather than `is(…, QueryPromise)`; a native promise (an async fn)
 * is not one.
 */
function isDrizzleQuery(value: unknown): boolean {
  if (typeof value !== "object" || value === null || value instanceof Promise) return false;
  const query = value as { execute?: unknown; then?: unknown; constructor?: unknown };
  return (
    typeof query.execute === "function" &&
    typeof query.then === "function" &&
    typeof query.constructor === "function" &&
    entityKind in query.constructor
  );
}

export async function pipelinedTransaction<T>(
  db: AppDatabase,
  opening: (connection: postgres.Sql) => postgres.PendingQuery<postgres.Row[]>[],
  fn: (tx: PipelinedTx) => Promise<T>,
): Promise<T> {
  // db.$client: the pool on which Drizzle installed its value serializers and parsers (jsonb and
  // timestamps pass through as text), which reserved connections share.
  const connection = await db.$client.reserve();
  const state: ConnectionState = { lost: false, ending: false };
  const client = transactionClient(connection, state);
  let commit: Promise<postgres.RowList<postgres.Row[]>> | undefined;
  const queueCommit = () => {
    state.ending = true;
    commit = fixed(connection, state, "commit").execute();
    commit.catch(() => undefined); // awaited below
  };
  try {
    const opened = Promise.all([
      fixed(connection, state, "begin").execute(),
      ...opening(client).map((q) => q.execute()),
    ]);
    // Awaited below; until then, a failure must not surface as an unhandled rejection.
    opened.catch(() => undefined);
    let result: T;
    try {
      const session = new PostgresJsSession<TransactionClient, typeof schema, Tables>(
        client,
        dialect,
        relationalSchema,
        {},
      );
      const returned: Promise<T> = fn(
        new PostgresJsTransaction<typeof schema, Tables>(dialect, session, relationalSchema),
      );
      if (isDrizzleQuery(returned)) state.commitBehindNextQuery = queueCommit;
      try {
        result = await returned;
      } finally {
        state.commitBehindNextQuery = undefined;
      }
      await opened;
    } catch (error) {
      // A failed opening statement aborts the transaction, and fn then fails with "current
      // transaction is aborted": report the cause, not the symptom.
      const openingError = await opened.then(
        () => undefined,
        (e: unknown) => e,
      );
      // A COMMIT already queued behind the failed query ends the transaction (as a rollback).
      if (commit) await commit.catch(() => undefined);
      else if (!state.lost) await fixed(connection, state, "rollback").catch(() => undefined);
      throw openingError ?? error;
    }
    if (!commit) queueCommit();
    const committed = await commit!;
    // COMMIT of a transaction in which a statement failed (and fn swallowed the error) rolls back.
    if (committed.command !== "COMMIT") throw new Error("The transaction was rolled back: a statement in it failed.");
    return result;
  } finally {
    state.ending = true; // after a rollback too: tx is done for good
    // A lost connection stays out of the pool's open queue (postgres.js has already moved it to its
    // closed queue and reconnects on demand); releasing it would put the dead socket back.
    if (!state.lost) connection.release();
  }
}
