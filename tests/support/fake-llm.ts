import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/**
 * A local stand-in for an LLM, speaking the OpenAI chat-completions protocol over real HTTP
 * (POST /v1/chat/completions, non-streaming, with tool calls). Its answers are scripted per question:
 * each step is a tool call or a final text, chosen by how many tool results the request already
 * carries. A step can also be a function of the conversation so far, which is how a prompt-injected
 * model is played: it reads the tool results and does what the injected text says.
 */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content?: string | null | { type: string; text?: string }[];
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: { type: "function"; function: { name: string; description?: string; parameters?: unknown } }[];
}

export type ScriptStep = { sql: string } | { text: string };
export type Step = ScriptStep | ((messages: ChatMessage[]) => ScriptStep);

export interface FakeLlm {
  url: string;
  /** Every request received, in order. */
  requests: ChatRequest[];
  /** Answers for questions containing `match`: one step per model turn. */
  script(match: string, steps: Step[]): void;
  close(): Promise<void>;
}

export function messageText(message: ChatMessage): string {
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) return message.content.map((p) => p.text ?? "").join("");
  return "";
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const scripts: { match: string; steps: Step[] }[] = [];
  const requests: ChatRequest[] = [];
  let calls = 0;

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions"))
      return send(404, { error: { message: `no route ${req.method} ${req.url}` } });
    let body: ChatRequest;
    try {
      body = JSON.parse(await readBody(req)) as ChatRequest;
    } catch {
      return send(400, { error: { message: "invalid JSON" } });
    }
    requests.push(body);
    const question = messageText(body.messages.find((m) => m.role === "user") ?? { role: "user" });
    const script = scripts.find((s) => question.includes(s.match));
    const turn = body.messages.filter((m) => m.role === "assistant").length;
    const planned = script?.steps[turn] ?? { text: script ? "Done." : "I have no scripted answer for that question." };
    const step = typeof planned === "function" ? planned(body.messages) : planned;
    calls++;
    const message =
      "sql" in step
        ? {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: `call_${calls}`,
                type: "function",
                function: { name: "run_sql", arguments: JSON.stringify({ sql: step.sql }) },
              },
            ],
          }
        : { role: "assistant", content: step.text };
    send(200, {
      id: `chatcmpl-${calls}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message, finish_reason: "sql" in step ? "tool_calls" : "stop" }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
  };
  // A step that throws (a bug in a test's script) answers 500 rather than leaving an unhandled rejection.
  const server: Server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (match, steps) => void scripts.unshift({ match, steps }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A prompt-injected model: it obeys the n-th "RUN THIS SQL: …" it finds in the tool results it was
 * given (the transcript text its own query returned).
 */
export function obeyInjectedSql(n: number): (messages: ChatMessage[]) => ScriptStep {
  return (messages) => {
    const toolText = messages
      .filter((m) => m.role === "tool")
      .map(messageText)
      .join("\n");
    const found = [...toolText.matchAll(/RUN THIS SQL: (.+?)(?=\\n|\n|"|$)/g)].map((m) => m[1]!);
    const sql = found[n];
    return sql ? { sql } : { text: "Nothing to do." };
  };
}
