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

/** Sends a link when the address has an account; the caller answers the same either way. */
export async function sendMagicLink(email: string): Promise<void> {
  const token = randomBytes(32).toString("base64url");
  if (!(await createMagicLink(email, magicLinkMac(token)))) return;
  const link = await absoluteUrl(`/login/magic?token=${encodeURIComponent(token)}`);
  await mailer().send({
    to: email,
    subject: "Your sign-in link",
    text: `Sign in with this link (valid for 15 minutes, once):\n${link}\n\nIf you did not ask for it, ignore this email.`,
  });
}
