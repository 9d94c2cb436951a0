import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** For the API suites: API keys from the real CLI (as an operator makes them), a real MCP client, Bearer headers. */
const run = promisify(execFile);

export const baseUrl = () => process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000";

/**
 * The API-key CLI, scripts/apikey.ts: what `npm run apikey -- …` runs (the README's form, which
 * e2e/readme-examples.spec.ts runs verbatim), started directly with tsx's loader: one process
 * instead of npm, a shell, the tsx launcher and node.
 */
function apikeyCli(args: string[]) {
  return run(process.execPath, ["--import", "tsx", "scripts/apikey.ts", ...args], { env: process.env });
}

/** `apikey create`; the key is the last line of its output. */
export async function createKeyWithCli(tenantSlug: string, name: string): Promise<string> {
  const { stdout } = await apikeyCli(["create", "--tenant", tenantSlug, "--name", name]);
  const key = stdout.trim().split("\n").at(-1)!;
  if (!/^rls_live_[A-Za-z0-9_-]{43}$/.test(key)) throw new Error(`the CLI's last line is not a key:\n${stdout}`);
  return key;
}

export async function revokeKeyWithCli(tenantSlug: string, id: string): Promise<void> {
  await apikeyCli(["revoke", "--tenant", tenantSlug, "--id", id]);
}

export async function mcpClient(key: string, url = `${baseUrl()}/api/mcp`): Promise<Client> {
  const client = new Client({ name: "e2e", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }),
  );
  return client;
}

/** The text of a tool result (the server answers with one text block). */
export function toolText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? "").join("");
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
