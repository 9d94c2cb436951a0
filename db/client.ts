import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { dbEnv, roleDatabaseUrl, type DbRole } from "./env";
import * as schema from "./schema";

/**
 * The raw connections, one pool per database role. Only modules in db/ may import this file
 * (enforced by ESLint): app code reaches tenant data through withTenant() in db/tenant.ts.
 */
type PoolName = DbRole | "app_user_read";
type Pools = Partial<Record<PoolName, postgres.Sql>>;

// Survives Next's hot reload in development, so edits do not open new pools.
const globalPools = globalThis as unknown as { __rlsStarterPools?: Pools };
const pools: Pools = (globalPools.__rlsStarterPools ??= {});

export function rawPool(role: DbRole): postgres.Sql {
  return (pools[role] ??= newPool(role));
}

/** app_user on the hot standby named by APP_READ_DATABASE_URL, or null when there is none. */
export function readPool(): postgres.Sql | null {
  const url = dbEnv().APP_READ_DATABASE_URL;
  if (url === undefined) return null;
  return (pools.app_user_read ??= newPool("app_user", "rls-starter:app_user:read", url));
}

/**
 * A pool of its own for a role, with the same options as rawPool's (the benchmark gives each variant
 * its own connection). Not cached: the caller ends it.
 */
export function newPool(
  role: DbRole,
  applicationName = `rls-starter:${role}`,
  url = roleDatabaseUrl(role),
): postgres.Sql {
  const e = dbEnv();
  return postgres(url, {
    max: role === "app_user" ? e.DB_POOL_MAX : role === "agent_reader" ? e.AGENT_SQL_POOL_MAX : 5,
    // A named prepared statement lives on the connection, and tenants share connections through the
    // pool: SQL running as app_user can DEALLOCATE one and PREPARE its own under the same name, and
    // the next tenant whose transaction executes that name runs it in that tenant's context
    // (tests/db/attacks.test.ts). The roles subject to RLS therefore use unnamed statements only.
    prepare: role === "platform_admin" && e.DB_PREPARE,
    idle_timeout: 30,
    // A server that accepts connections but does not answer fails the request instead of holding it.
    connect_timeout: e.DB_CONNECT_TIMEOUT_SECONDS,
    connection: { application_name: applicationName },
    onnotice: () => undefined,
  });
}

export class PoolTimeoutError extends Error {
  constructor(waitedMs: number) {
    super(`No database connection became free within ${waitedMs} ms (DB_POOL_TIMEOUT_MS).`);
    this.name = "PoolTimeoutError";
  }
}

/** postgres.js sets a query's `state` (its connection's backend) when it hands the query to a connection. */
const handedToConnection = (query: object) => (query as { state?: unknown }).state != null;

/**
 * A single short query outside a transaction (a definer function before any tenant is known), given
 * up after DB_POOL_TIMEOUT_MS: postgres.js would queue it behind a full pool for as long as it takes.
 * A query still queued is taken out of the queue. One already written to a connection is left to
 * finish, unwaited: a cancel request names a backend, not a statement, so one that arrives after this
 * statement ended cancels whatever the backend runs next (another request's, another tenant's).
 */
export async function boundedQuery<T>(query: postgres.PendingQuery<T extends postgres.Row[] ? T : never>): Promise<T> {
  const waitMs = dbEnv().DB_POOL_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      query.catch(() => undefined);
      if (!handedToConnection(query)) void query.cancel();
      reject(new PoolTimeoutError(waitMs));
    }, waitMs);
  });
  try {
    return (await Promise.race([query, timeout])) as T;
  } finally {
    clearTimeout(timer);
  }
}

/** A postgres.js function the proxy below passes its caller's arguments to, and whose result it passes back. */
type Forwarded = (...args: unknown[]) => unknown;

/**
 * Drizzle hands postgres.js a query without parameters as `unsafe(text, [])`, which postgres.js
 * sends over the simple protocol, where text such as `…; COMMIT; …` runs as several statements and
 * can end the transaction withTenant opened. Through this wrapper every query (in transactions and
 * savepoints too) goes over the extended protocol, which accepts exactly one statement.
 */
export function oneStatementPerQuery<T extends postgres.Sql | postgres.TransactionSql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === "unsafe" && typeof value === "function") {
        const unsafe = value as Forwarded;
        return (query: string, args: unknown = [], options: Record<string, unknown> = {}) =>
          Array.isArray(args)
            ? unsafe(query, args, { ...options, simple: false })
            : unsafe(query, [], { ...(args as object), simple: false });
      }
      if ((property === "begin" || property === "savepoint") && typeof value === "function") {
        const begin = value as Forwarded;
        return (...args: unknown[]) => {
          const body = args.at(-1);
          if (typeof body !== "function") return begin(...args);
          const transaction = body as Forwarded;
          return begin(...args.slice(0, -1), (tx: postgres.TransactionSql) => transaction(oneStatementPerQuery(tx)));
        };
      }
      return value;
    },
  });
}

/**
 * PostgreSQL's text for a timestamptz ("0001-01-01 00:00:59+00") in the ISO 8601 form that Date parses
 * for every year: Drizzle hands the text to `new Date()`, whose fallback parser reads years below 50 as
 * 20xx (year 1 came back as 2001). Text of another shape (infinity) is passed on as it was.
 */
const postgresTimestamp = /^(\d{4,})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d)(?::?(\d\d))?(?::\d\d)?$/;
export function isoTimestamp(text: string): string {
  const m = postgresTimestamp.exec(text);
  if (!m) return text;
  const [, year, month, day, time, fraction = "", offsetHours, offsetMinutes = "00"] = m;
  return `${year}-${month}-${day}T${time}${fraction.slice(0, 4)}${offsetHours}:${offsetMinutes}`;
}

/** Drizzle over `client`; its timestamptz values read in the ISO form above (set after Drizzle's own parsers). */
export function drizzleOn(client: postgres.Sql) {
  const db = drizzle({ client: oneStatementPerQuery(client), schema });
  client.options.parsers[1184] = isoTimestamp;
  return db;
}

export type AppDatabase = ReturnType<typeof drizzleOn>;

/** Writes still owed to the database (agent SQL's outcomes: db/agent-sql.ts), made before pools close. */
const owedWrites = new Set<() => Promise<void>>();

export function beforePoolsClose(settle: () => Promise<void>): void {
  owedWrites.add(settle);
}

export async function closePools(): Promise<void> {
  await Promise.allSettled([...owedWrites].map((settle) => settle()));
  const open = Object.entries(pools) as [PoolName, postgres.Sql][];
  await Promise.all(open.map(([role, pool]) => (delete pools[role], pool.end({ timeout: 5 }))));
}
