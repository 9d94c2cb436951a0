/**
 * The scan of a server's output for secrets (npm test runs it on the app server's output of the whole
 * browser run): the run's own secrets by value, and anything shaped like an API key, a signed tenant
 * context token or a session token, whoever made it. Independent of lib/logger.ts's scrubbing, which
 * it checks.
 */
export interface KnownSecret {
  what: string;
  value: string;
}

export interface SecretFinding {
  line: number;
  what: string;
}

const shapes: { what: string; shape: RegExp }[] = [
  { what: "an API key", shape: /rls_live_[A-Za-z0-9_-]{43}/ },
  { what: "a signed tenant context token", shape: /v1\.[0-9a-f-]{0,36}\.[0-9a-f-]{0,36}\.\d{9,}\.[0-9a-f]{64}/i },
  {
    what: "a session token (JWE)",
    shape: /eyJ[A-Za-z0-9_-]{10,}\.\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
  },
];

/** Where in `text` a secret appears (line numbers from 1); the secret itself is not repeated. */
export function findSecrets(text: string, known: KnownSecret[]): SecretFinding[] {
  // A short value would match by chance (and is no secret worth the name).
  const values = known.filter((k) => k.value.length >= 8);
  const findings: SecretFinding[] = [];
  text.split("\n").forEach((line, index) => {
    for (const { what, value } of values) if (line.includes(value)) findings.push({ line: index + 1, what });
    for (const { what, shape } of shapes) if (shape.test(line)) findings.push({ line: index + 1, what });
  });
  return findings;
}

/** The password in a postgres:// URL, if any. */
export function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
