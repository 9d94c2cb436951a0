import { createHmac, randomBytes } from "node:crypto";
import { createMagicLink } from "@/db";
import { env } from "@/lib/env";
import { mailer } from "@/lib/mailer";
import { absoluteUrl } from "@/lib/request-info";

/**
 * Email magic links. The database keeps only an HMAC of the link's secret under AUTH_SECRET, so
 * neither a copy of the table nor SQL running as app_user can produce a working link.
 */
export function magicLinkMac(token: string): string {
  return createHmac("sha256", env().AUTH_SECRET).update(`magic-link:${token}`).digest("hex");
}

export type MagicLinkOutcome =
  /** Sent when the address has an account; the same answer when it has none. */
  | { kind: "accepted" }
  | { kind: "throttled"; retryAfterSeconds: number }
  /** The address has an account but the email could not be sent. */
  | { kind: "not_sent" };

/**
 * Sends a link when the address has an account. Throttled per address as typed (whether or not it has
 * an account, so the answer tells nothing) and per client address, in PostgreSQL (every instance).
 */
export async function sendMagicLink(email: string, ip: string | null): Promise<MagicLinkOutcome> {
  const token = randomBytes(32).toString("base64url");
  const request = await createMagicLink(email, magicLinkMac(token), ip);
  if (request.retryAfterSeconds > 0) return { kind: "throttled", retryAfterSeconds: request.retryAfterSeconds };
  if (!request.stored) return { kind: "accepted" };
  const link = absoluteUrl(`/login/magic?token=${encodeURIComponent(token)}`);
  try {
    await mailer().send({
      to: email,
      subject: "Your sign-in link",
      text: `Sign in with this link (valid for 15 minutes, once):\n${link}\n\nIf you did not ask for it, ignore this email.`,
    });
  } catch (error) {
    console.error("sign-in link email failed", error instanceof Error ? error.message : "unknown error");
    return { kind: "not_sent" };
  }
  return { kind: "accepted" };
}
