import { after, afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { closePools, rawPool } from "@/db/client";
import { sendMagicLink } from "@/lib/auth/magic-links";
import { ownerSql } from "../support/db";

// Emailed sign-in links come from APP_URL only (the request's Host plays no part: lib/request-info.ts
// takes no request), and requests are throttled per address and per client in PostgreSQL.
process.env.APP_URL = "https://app.example.test";

// The log transport writes each mail as one JSON log line on stdout (lib/mailer.ts, lib/logger.ts).
let mails: string[] = [];
const write = process.stdout.write.bind(process.stdout);
beforeEach(() => {
  mails = [];
  process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    const line = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (line.includes('"mail":')) mails.push(line);
    return write(chunk, ...rest);
  };
});
afterEach(() => {
  process.stdout.write = write;
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

async function account(): Promise<string> {
  const email = `magic-${randomUUID().slice(0, 8)}@links.test`;
  await rawPool("app_user")`select * from app.sign_up(${email}, 'Link Person', 'a-long-password', 'Links')`;
  return email;
}
const ip = () => `192.0.2.${Math.floor(Math.random() * 250) + 1}`;

describe("sendMagicLink", () => {
  it("mails a link built from APP_URL to an existing account, and nothing to an unknown one, with the same outcome", async () => {
    const from = ip();
    assert.deepEqual(await sendMagicLink(await account(), from), { kind: "accepted" });
    assert.equal(mails.length, 1);
    assert.match(mails[0]!, /https:\/\/app\.example\.test\/login\/magic\?token=[\w-]{43}/);
    assert.deepEqual(await sendMagicLink(`nobody-${randomUUID()}@links.test`, from), { kind: "accepted" });
    assert.equal(mails.length, 1, "no mail for an address without an account");
  });

  it("says 'throttled' (and sends nothing) from the fourth request for one address in 15 minutes", async () => {
    const email = await account();
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push((await sendMagicLink(email, ip())).kind);
    assert.deepEqual(outcomes, ["accepted", "accepted", "accepted", "throttled"]);
    assert.equal(mails.length, 3, "the throttled request sent no mail");
  });

  it("throttles one client address across accounts, and an unknown address exactly like a known one", async () => {
    const from = ip();
    await ownerSql()`delete from app_private.rate_buckets where key = ${`magic_link_ip:${from}`}`;
    const outcomes = [];
    for (let i = 0; i < 11; i++) {
      const email = i % 2 === 0 ? await account() : `nobody-${randomUUID()}@links.test`;
      outcomes.push((await sendMagicLink(email, from)).kind);
    }
    assert.deepEqual(outcomes, [...Array<string>(10).fill("accepted"), "throttled"]);
    assert.equal(mails.length, 5, "mail only for the accounts among the first ten");
  });
});
