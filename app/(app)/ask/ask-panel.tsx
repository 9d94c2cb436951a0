"use client";

import { useState } from "react";
import { buttonClass, Callout, controlClass, Notice } from "@/components/ui";
import { ResultView, type SqlResultBody } from "./result-view";

interface ApiError {
  code: string;
  message: string;
}

interface AskQuery {
  sql: string;
  result: SqlResultBody | null;
  error: ApiError | null;
}

interface AskAnswer {
  question: string;
  answer: string | null;
  queries: AskQuery[];
}

async function postJson<T>(
  url: string,
  body: unknown,
): Promise<{ ok: true; data: T } | { ok: false; error: ApiError }> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json().catch(() => null)) as (T & { error?: ApiError }) | null;
    if (!res.ok || !json)
      return {
        ok: false,
        error: json?.error ?? { code: `http_${res.status}`, message: `The server answered ${res.status}.` },
      };
    return { ok: true, data: json };
  } catch {
    return {
      ok: false,
      error: { code: "network", message: "Could not reach the server. Check your connection and try again." },
    };
  }
}

function ErrorBox({ error }: { error: ApiError }) {
  return (
    <Notice tone="error" data-testid="sql-error">
      <span className="font-mono text-xs">{error.code}</span> · {error.message}
    </Notice>
  );
}

const exampleQuestions = [
  "How many conversations did each agent handle?",
  "Conversations per day over the last two weeks",
  "What share of calls were escalated?",
];
const exampleSql =
  "SELECT date_trunc('day', started_at) AS day, count(*) AS conversations\nFROM conversations\nGROUP BY 1\nORDER BY 1";

export function AskPanel({ llm }: { llm: boolean }) {
  const [question, setQuestion] = useState("");
  const [asking, setAsking] = useState(false);
  const [answer, setAnswer] = useState<AskAnswer | null>(null);
  const [askError, setAskError] = useState<ApiError | null>(null);

  const [sql, setSql] = useState(exampleSql);
  const [running, setRunning] = useState(false);
  const [sqlResult, setSqlResult] = useState<SqlResultBody | null>(null);
  const [sqlError, setSqlError] = useState<ApiError | null>(null);

  // The submit handlers below never reject (postJson returns failures as values), so the forms call
  // them with `void`: React would drop the promise an async onSubmit returns.
  async function submitQuestion(e: React.FormEvent) {
    e.preventDefault();
    if (!question.trim()) return setAskError({ code: "empty", message: "Type a question first." });
    setAsking(true);
    setAskError(null);
    const res = await postJson<AskAnswer>("/api/agent/ask", { question });
    setAsking(false);
    if (res.ok) setAnswer(res.data);
    else setAskError(res.error);
  }

  async function runSql(e: React.FormEvent) {
    e.preventDefault();
    if (!sql.trim()) return setSqlError({ code: "empty", message: "Type a SQL statement first." });
    setRunning(true);
    setSqlError(null);
    const res = await postJson<SqlResultBody>("/api/agent/sql", { sql });
    setRunning(false);
    if (res.ok) setSqlResult(res.data);
    else {
      setSqlResult(null);
      setSqlError(res.error);
    }
  }

  return (
    <div className="space-y-8">
      {llm ? (
        <section className="space-y-3" aria-labelledby="ask-heading">
          <h2 id="ask-heading" className="font-medium">
            Ask a question
          </h2>
          <form onSubmit={(e) => void submitQuestion(e)} className="flex flex-wrap gap-3">
            <label htmlFor="question" className="sr-only">
              Question
            </label>
            <input
              id="question"
              value={question}
              onChange={(e) => setQuestion(e.target.value)}
              maxLength={2000}
              placeholder="e.g. How many calls were escalated last week?"
              className={`${controlClass} min-w-64 flex-1`}
            />
            <button type="submit" disabled={asking} className={buttonClass()}>
              {asking ? "Thinking…" : "Ask"}
            </button>
          </form>
          <div className="flex flex-wrap gap-2 text-xs">
            {exampleQuestions.map((q) => (
              <button
                key={q}
                type="button"
                onClick={() => setQuestion(q)}
                className="rounded-full border border-slate-300 px-3 py-1 text-slate-600 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"
              >
                {q}
              </button>
            ))}
          </div>
          {askError ? <ErrorBox error={askError} /> : null}
          {answer ? (
            <div className="space-y-4" data-testid="ask-answer">
              <p className="text-sm">
                <span className="text-slate-500">Question:</span>{" "}
                <span data-testid="ask-question">{answer.question}</span>
              </p>
              {answer.queries.length === 0 ? (
                <p className="text-sm text-slate-600 dark:text-slate-400">
                  The model did not write any SQL for this question.
                </p>
              ) : null}
              {answer.queries.map((q, i) => (
                <div key={i} className="space-y-2">
                  <pre
                    className="overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100"
                    data-testid="ask-sql"
                  >
                    {q.sql}
                  </pre>
                  {q.error ? <ErrorBox error={q.error} /> : q.result ? <ResultView result={q.result} /> : null}
                </div>
              ))}
              {answer.answer ? (
                <p className="rounded-lg bg-indigo-50 p-3 text-sm dark:bg-indigo-950" data-testid="ask-text">
                  {answer.answer}
                </p>
              ) : null}
            </div>
          ) : null}
        </section>
      ) : (
        <Callout tone="warning" data-testid="llm-not-configured">
          <p className="font-medium">No LLM is configured, so questions in plain words are off.</p>
          <p className="mt-1 text-slate-700 dark:text-slate-300">
            Set <code>OPENAI_BASE_URL</code> (OpenAI, or a local Ollama or vLLM server), <code>OPENAI_API_KEY</code> and{" "}
            <code>AI_MODEL</code> to turn them on. Meanwhile, write the SQL yourself below: it runs through the same
            guarded, read-only path.
          </p>
        </Callout>
      )}

      <section className="space-y-3" aria-labelledby="sql-heading">
        <h2 id="sql-heading" className="font-medium">
          SQL
        </h2>
        <form onSubmit={(e) => void runSql(e)} className="space-y-3">
          <label htmlFor="sql" className="sr-only">
            SQL statement
          </label>
          <textarea
            id="sql"
            value={sql}
            onChange={(e) => setSql(e.target.value)}
            rows={6}
            spellCheck={false}
            maxLength={20000}
            className={`${controlClass} font-mono`}
          />
          <button type="submit" disabled={running} className={buttonClass()}>
            {running ? "Running…" : "Run SQL"}
          </button>
        </form>
        {sqlError ? <ErrorBox error={sqlError} /> : null}
        {sqlResult ? (
          <div data-testid="sql-result">
            <ResultView result={sqlResult} />
          </div>
        ) : null}
      </section>
    </div>
  );
}
