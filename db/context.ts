import { dbEnv } from "./env";
import { contextSetterCall, databaseEngine, localSettingCall } from "./isolation";
import { contextToken, InvalidTenantIdError, isUuid, type ContextClaims } from "./context-token";

/**
 * The statement that gives a transaction its tenant context, for every role (app_user through
 * withTenant/withUser, agent_reader through runCheckedSql). It is the transaction's first statement
 * (db/pipelined-transaction.ts), and the only place that sets the context:
 *
 *   select set_config('app.tenant_ctx', $1, true)[, set_config($2, $3, true), …]
 *
 * or, on a Citus coordinator (DB_CITUS=true), `select app.enter_tenant($1)[, app.set_local_setting($2, $3), …]`:
 * the context and the settings must reach the workers, and only SET LOCAL does (db/isolation.ts).
 *
 * The signed token and any extra setting (name and value) are bind parameters; the text is fixed
 * fragments and placeholder numbers only, never a value. `is_local = true` ends every one of them at
 * COMMIT or ROLLBACK, so a pooled connection never carries them into the next transaction.
 *
 * The claims are checked when the statement is built; the token is minted by params(), when the
 * transaction has its connection and starts: a wait for a connection (a busy pool, a reconnect) does
 * not eat into the token's lifetime.
 */

/** The transaction-local settings a context may carry besides the tenant context, in this order. */
// The agent SQL limits are settings rather than bind parameters of its statement: a statement with
// parameters and a text the connection has not seen waits for a Describe round trip first.
const localSettingNames = ["statement_timeout", "search_path", "app.agent_sql_rows", "app.agent_sql_bytes"] as const;
export type LocalSettings = Partial<Record<(typeof localSettingNames)[number], string>>;

export class ContextStatement {
  // A private constructor and a private field: only build() below makes one, and no look-alike
  // object passes for one, so a transaction cannot be started with any other opening statement.
  private readonly madeByBuild = true;
  private constructor(
    readonly text: string,
    private readonly claims: ContextClaims,
    private readonly settings: readonly string[],
  ) {}

  /** Whose context this is (for the transaction's trace span; never the token). */
  get tenantId(): string | undefined {
    return this.claims.tenantId;
  }
  get userId(): string | undefined {
    return this.claims.userId;
  }

  /** The bind parameters: a token minted (or reused, db/context-token.ts) now, then the settings. */
  params(): string[] {
    const e = dbEnv();
    return [contextToken(this.claims, e.TENANT_CONTEXT_SECRET, e.TENANT_CONTEXT_TTL_SECONDS), ...this.settings];
  }

  /** Throws InvalidTenantIdError for a claim that is not a UUID, before anything is minted or sent. */
  static build(claims: ContextClaims, settings: LocalSettings = {}): ContextStatement {
    if (claims.tenantId !== undefined && !isUuid(claims.tenantId)) {
      throw new InvalidTenantIdError("tenantId", claims.tenantId);
    }
    if (claims.userId !== undefined && !isUuid(claims.userId)) throw new InvalidTenantIdError("userId", claims.userId);
    const lowerCased = { tenantId: claims.tenantId?.toLowerCase(), userId: claims.userId?.toLowerCase() };
    const engine = databaseEngine();
    const calls = [contextSetterCall(engine, "$1")];
    const params: string[] = [];
    for (const name of localSettingNames) {
      const value = settings[name];
      if (value === undefined) continue;
      params.push(name, value);
      calls.push(localSettingCall(engine, `$${params.length}`, `$${params.length + 1}`));
    }
    return new ContextStatement(`select ${calls.join(", ")}`, lowerCased, params);
  }
}

export const contextStatement = (claims: ContextClaims, settings?: LocalSettings): ContextStatement =>
  ContextStatement.build(claims, settings);
