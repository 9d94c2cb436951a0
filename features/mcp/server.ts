import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { withTenant } from "@/db";
import { allowedFunctions } from "@/features/agent-sql/allow-list";
import { maxAgentSqlLength } from "@/features/agent-sql/guard";
import { runAgentSql } from "@/features/agent-sql/run";
import { describeVisibleSchema } from "@/features/agent-sql/visible-schema";
import type { ApiKeyCaller } from "@/lib/auth/api-keys";
import { unstorableTextReason } from "@/lib/storable-text";
import { searchConversations } from "./search";

/**
 * The MCP server for one API key's tenant: three tools, each confined to that tenant (run_sql by the
 * guarded path, the others by withTenant). A new server per request (stateless streamable HTTP).
 */
const text = (value: unknown) => ({
  content: [{ type: "text" as const, text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }],
});

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
    async ({ sql }) => {
      const outcome = await runAgentSql({
        tenantId: caller.tenantId,
        actor: { kind: "api_key", keyId: caller.keyId },
        sql,
        via: "mcp",
      });
      return outcome.ok
        ? text(outcome.result)
        : { ...text({ error: { ...outcome.error, stoppedBy: outcome.stoppedBy } }), isError: true };
    },
  );

  server.registerTool(
    "search_conversations",
    {
      title: "Search conversations",
      description:
        "Conversations whose summary, caller or transcript contains the text (case-insensitive), newest first.",
      inputSchema: {
        query: z
          .string()
          .trim()
          .min(1)
          .max(200)
          .refine((q) => unstorableTextReason(q) === null, "query contains a NUL character or a lone surrogate")
          .describe("Text to look for."),
        limit: z.number().int().min(1).max(50).default(10),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ query, limit }) => {
      try {
        const rows = await withTenant(caller.tenantId, (tx) => searchConversations(tx, caller.tenantId, query, limit));
        return text(rows.map((r) => ({ ...r, startedAt: r.startedAt.toISOString() })));
      } catch (error) {
        // A driver error's message holds the statement and its parameters: logged, never answered.
        console.error("search_conversations failed", error);
        return {
          ...text({ error: { code: "search_failed", message: "The search failed; try again." } }),
          isError: true,
        };
      }
    },
  );

  return server;
}
