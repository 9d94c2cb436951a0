import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { withTenant } from "@/db";
import { allowedFunctions } from "@/features/agent-sql/allow-list";
import { maxAgentSqlLength } from "@/features/agent-sql/guard";
import { runAgentSql } from "@/features/agent-sql/run";
import { describeVisibleSchema } from "@/features/agent-sql/visible-schema";
import type { ApiKeyCaller } from "@/lib/auth/api-keys";
import { intField, textField } from "@/lib/validation";
import { searchConversations } from "./search";

/**
 * The MCP server for one API key's tenant: three tools, each confined to that tenant (run_sql by the
 * guarded path, the others by withTenant). A new server per request (stateless streamable HTTP).
 */
const text = (value: unknown) => ({
  content: [{ type: "text" as const, text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }],
});

/**
 * A tool's unexpected failure, as the client sees it: a generic message (the SDK would send the
 * error's own text, and a database error's text carries the failed SQL and its bound parameters);
 * the detail goes to the server's log. Invalid arguments never get here: the SDK refuses them first,
 * naming the field (JSON-RPC -32602).
 */
function failSafely<A extends unknown[], R>(tool: string, handler: (...args: A) => Promise<R>) {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      console.error(`MCP tool ${tool} failed`, error);
      return { ...text(`${tool} failed on the server; the error was logged. Try again later.`), isError: true };
    }
  };
}

export function createMcpServer(caller: ApiKeyCaller): McpServer {
  const server = new McpServer({ name: "rls-saas-starter", version: "1.0.0" });

  server.registerTool(
    "describe_schema",
    {
      title: "Describe the schema",
      description: "The tables, columns and functions that run_sql may use. Every row belongs to your tenant.",
      annotations: { readOnlyHint: true },
    },
    async () =>
      text(`${describeVisibleSchema()}\n\nFunctions run_sql may call: ${[...allowedFunctions].sort().join(", ")}.`),
  );

  server.registerTool(
    "run_sql",
    {
      title: "Run read-only SQL",
      description:
        "Run one PostgreSQL SELECT (or WITH … SELECT, VALUES) over agents, conversations and conversation_turns. Refused: writes, SET, several statements, catalogs, functions outside the allow-list. Returns {columns, rows, rowCount, truncated}.",
      // Length, depth and characters are the guard's to refuse, so that every refusal is audited.
      inputSchema: { sql: z.string().describe(`One SELECT statement, at most ${maxAgentSqlLength} characters.`) },
      annotations: { readOnlyHint: true },
    },
    failSafely("run_sql", async ({ sql }: { sql: string }) => {
      const outcome = await runAgentSql({
        tenantId: caller.tenantId,
        actor: { kind: "api_key", keyId: caller.keyId },
        sql,
        via: "mcp",
      });
      return outcome.ok
        ? text(outcome.result)
        : { ...text({ error: { ...outcome.error, stoppedBy: outcome.stoppedBy } }), isError: true };
    }),
  );

  server.registerTool(
    "search_conversations",
    {
      title: "Search conversations",
      description:
        "Conversations whose summary, caller or transcript contains the text (case-insensitive), newest first.",
      inputSchema: {
        query: textField({ min: 1, max: 200, trim: true }).describe("Text to look for."),
        limit: intField(1, 50).default(10),
      },
      annotations: { readOnlyHint: true },
    },
    failSafely("search_conversations", async ({ query, limit }: { query: string; limit: number }) => {
      const rows = await withTenant(caller.tenantId, (tx) => searchConversations(tx, caller.tenantId, query, limit));
      return text(rows.map((r) => ({ ...r, startedAt: r.startedAt.toISOString() })));
    }),
  );

  return server;
}
