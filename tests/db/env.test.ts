import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dbEnvVariables, parseDbEnv } from "@/db/env";
import { appUrl, envVariables, parseEnv } from "@/lib/env";

/**
 * The database's settings are validated in db/env.ts, the app's in lib/env.ts: each variable in
 * exactly one of them, and each reports every problem at once.
 */
const secret = "x".repeat(32);

describe("environment validation", () => {
  it("no variable is validated in both db/env.ts and lib/env.ts", () => {
    const shared = dbEnvVariables.filter((v) => (envVariables as string[]).includes(v));
    assert.deepEqual(shared, []);
    // Control: the lists are not empty (a renamed export would make the check above vacuous).
    assert.ok(dbEnvVariables.includes("TENANT_CONTEXT_SECRET") && dbEnvVariables.includes("DATABASE_URL"));
    assert.ok(envVariables.includes("AUTH_SECRET"));
  });

  it("db/env.ts lists every problem in one error", () => {
    assert.throws(
      () => parseDbEnv({ DATABASE_URL: "mysql://x", DB_POOL_MAX: "0", AGENT_SQL_ROW_CAP: "many" }),
      (error: Error) => {
        for (const variable of ["DATABASE_URL", "TENANT_CONTEXT_SECRET", "DB_POOL_MAX", "AGENT_SQL_ROW_CAP"]) {
          assert.match(error.message, new RegExp(`^  ${variable}: `, "m"), error.message);
        }
        assert.match(error.message, /^Invalid database environment:/);
        return true;
      },
    );
  });

  it("the database's settings need none of the app's, and the app's none of the database's", () => {
    const db = parseDbEnv({ TENANT_CONTEXT_SECRET: secret, DATABASE_URL: "postgres://u:p@localhost/app" });
    assert.equal(db.DB_POOL_MAX, 10);
    const app = parseEnv({ AUTH_SECRET: secret });
    assert.equal(app.MAIL_TRANSPORT, "log");
  });

  it("lib/env.ts lists every problem in one error", () => {
    assert.throws(
      () => parseEnv({ AUTH_GITHUB_ID: "id", API_KEY_RATE_LIMIT_PER_MINUTE: "0" }),
      (error: Error) => {
        for (const variable of ["AUTH_SECRET", "AUTH_GITHUB_SECRET", "API_KEY_RATE_LIMIT_PER_MINUTE"]) {
          assert.match(error.message, new RegExp(`^  ${variable}: `, "m"), error.message);
        }
        return true;
      },
    );
  });

  it("at server start, instrumentation.ts reports the problems of both in one error", async () => {
    const script = `import("./instrumentation.ts").then((m) => m.register()).then(
      () => console.log("started"),
      (e) => console.log(e.message),
    )`;
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--import", "tsx", "-e", script],
        { env: { PATH: process.env.PATH, NEXT_RUNTIME: "nodejs", NODE_ENV: "production" } },
        (error: Error | null, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    assert.match(output, /^ {2}AUTH_SECRET: /m, output);
    assert.match(output, /^ {2}TENANT_CONTEXT_SECRET: /m, output);
    assert.match(output, /^ {2}APP_URL: .*required in production/m, output);
  });

  it("production refuses to start without APP_URL: emailed links never come from the request's Host", () => {
    const production = { NODE_ENV: "production", AUTH_SECRET: secret };
    assert.throws(() => parseEnv(production), /^ {2}APP_URL: .*invitation links/m);
    assert.throws(
      () => parseEnv({ ...production, APP_URL: "", AUTH_MAGIC_LINKS: "true", MAIL_TRANSPORT: "log" }),
      /^ {2}APP_URL: .*invitation and sign-in links/m,
    );
    assert.equal(parseEnv({ ...production, APP_URL: "https://app.example.com" }).APP_URL, "https://app.example.com");
    // Outside production, links point at the local server.
    assert.equal(appUrl(parseEnv({ AUTH_SECRET: secret })), "http://localhost:3000");
  });

  it("session lifetimes: defaults, and an idle timeout longer than the lifetime is refused", () => {
    const e = parseEnv({ AUTH_SECRET: secret });
    assert.equal(e.SESSION_IDLE_TIMEOUT_SECONDS, 3 * 86_400);
    assert.equal(e.SESSION_MAX_AGE_SECONDS, 30 * 86_400);
    assert.throws(
      () => parseEnv({ AUTH_SECRET: secret, SESSION_IDLE_TIMEOUT_SECONDS: "7200", SESSION_MAX_AGE_SECONDS: "3600" }),
      /^ {2}SESSION_IDLE_TIMEOUT_SECONDS: cannot be longer/m,
    );
    assert.throws(() => parseEnv({ AUTH_SECRET: secret, SESSION_MAX_AGE_SECONDS: "10" }), /SESSION_MAX_AGE_SECONDS/);
  });
});
