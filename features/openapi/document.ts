import { z } from "zod";
import { askRequest, askResult, errorBody, sqlRequest, sqlResult } from "@/features/agent-sql/wire";
import { conversationInput, conversationOutput, conversationPageOutput } from "@/features/ingest/schema";

/**
 * The OpenAPI 3.1 document served at /api/v1/openapi.json. Bodies are generated from the same zod
 * schemas the routes validate with, so the document says what the code enforces.
 */
function schema(type: z.ZodType, io: "input" | "output" = "output"): Record<string, unknown> {
  const generated = z.toJSONSchema(type, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete generated.$schema;
  return generated;
}

const json = (s: Record<string, unknown>) => ({ "application/json": { schema: s } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({ description, content: json(ref("Error")) });

const authErrors = {
  "401": errorResponse("Missing, malformed, unknown or revoked API key."),
  "429": {
    description: "Rate limited (token bucket per key). Retry-After says when to retry.",
    headers: { "Retry-After": { schema: { type: "integer" } } },
    content: json(ref("Error")),
  },
  "503": {
    description:
      "The database is unavailable or busy (restarting, no free connection, statement timeout). Retry after Retry-After seconds.",
    headers: { "Retry-After": { schema: { type: "integer" } } },
    content: json(ref("Error")),
  },
};

export function openApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "RLS SaaS starter API",
      version: "1.0.0",
      description:
        "Ingest and read conversations, and run read-only agent SQL, for the tenant of the API key. Every request is confined to that tenant by PostgreSQL row-level security. MCP clients connect to /api/mcp (streamable HTTP, same bearer key).",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key (rls_live_…) from Settings → API keys or `npm run apikey`.",
        },
      },
      schemas: {
        ConversationInput: schema(conversationInput, "input"),
        Conversation: schema(conversationOutput),
        ConversationPage: schema(conversationPageOutput),
        SqlRequest: schema(sqlRequest, "input"),
        SqlResult: schema(sqlResult),
        AskRequest: schema(askRequest, "input"),
        AskResult: schema(askResult),
        Error: schema(errorBody),
      },
    },
    paths: {
      "/api/v1/conversations": {
        post: {
          summary: "Ingest a conversation with its transcript",
          operationId: "createConversation",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              schema: { type: "string", minLength: 1, maxLength: 255 },
              description:
                "A key you choose per logical request (e.g. a UUID). Retrying with the same key and body answers the first request's conversation (header Idempotent-Replayed: true) instead of creating another.",
            },
          ],
          requestBody: { required: true, content: json(ref("ConversationInput")) },
          responses: {
            "201": {
              description: "Created (or, for a repeated Idempotency-Key, the conversation the first request created).",
              headers: {
                Location: { schema: { type: "string" } },
                "Idempotent-Replayed": { schema: { type: "string" } },
              },
              content: json(ref("Conversation")),
            },
            "422": errorResponse("The Idempotency-Key was used before with another body; nothing was written."),
            "400": errorResponse(
              "Invalid JSON or fields (error.fields names each); nothing was written. Includes an agent that is not in the key's tenant.",
            ),
            "413": errorResponse("Body larger than 1 MB."),
            ...authErrors,
          },
        },
        get: {
          summary: "List conversations, newest first (keyset pagination)",
          operationId: "listConversations",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
            {
              name: "after",
              in: "query",
              schema: { type: "string" },
              description: "next_cursor from the previous page.",
            },
          ],
          responses: {
            "200": { description: "A page.", content: json(ref("ConversationPage")) },
            "400": errorResponse("Invalid limit or cursor."),
            ...authErrors,
          },
        },
      },
      "/api/v1/conversations/{id}": {
        get: {
          summary: "One conversation with its transcript",
          operationId: "getConversation",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The conversation.", content: json(ref("Conversation")) },
            "404": errorResponse(
              "No such conversation in the key's tenant (another tenant's id looks the same as a missing one).",
            ),
            ...authErrors,
          },
        },
      },
      "/api/agent/sql": {
        post: {
          summary: "Run one read-only SQL statement (guarded)",
          description:
            "Parsed with the PostgreSQL parser: one SELECT / WITH … SELECT / VALUES over agents, conversations and conversation_turns, allow-listed functions only. Runs as a read-only role in a READ ONLY transaction with the key's tenant context, a statement timeout and a row cap. Also accepts the signed-in session instead of a key.",
          operationId: "runAgentSql",
          requestBody: { required: true, content: json(ref("SqlRequest")) },
          responses: {
            "200": { description: "The result.", content: json(ref("SqlResult")) },
            "400": errorResponse(
              "Refused by the parser (error.stoppedBy = parser) or by PostgreSQL (stoppedBy = database; statement_timeout or database_error with PostgreSQL's message).",
            ),
            ...authErrors,
          },
        },
      },
      "/api/agent/ask": {
        post: {
          summary: "Ask a question in words; an LLM writes the SQL, which runs through the guarded path",
          operationId: "ask",
          requestBody: { required: true, content: json(ref("AskRequest")) },
          responses: {
            "200": {
              description: "The SQL the model wrote and its result, or why it was refused.",
              content: json(ref("AskResult")),
            },
            "400": errorResponse("Invalid body."),
            "502": errorResponse("The LLM endpoint failed."),
            ...authErrors,
            "503": errorResponse(
              "No LLM is configured (OPENAI_BASE_URL / OPENAI_API_KEY / AI_MODEL), or the database is unavailable (Retry-After).",
            ),
          },
        },
      },
    },
  };
}
