import type { NextAuthConfig } from "next-auth";
import { logger } from "@/lib/logger";

/**
 * Auth.js's own messages as JSON log lines (lib/logger.ts) instead of its coloured text with a stack
 * trace. A refused sign-in (wrong password, unknown email, throttled) is an expected outcome: one
 * warning line, no stack.
 */
export const authLogger: NonNullable<NextAuthConfig["logger"]> = {
  error(error) {
    // Auth.js's error class (`type`), not `name`: the production build minifies class names.
    const type = (error as { type?: unknown }).type;
    const authError = typeof type === "string" ? type : error.name;
    if (authError === "CredentialsSignin") logger().warn({ authError }, "sign-in refused");
    else logger().error({ err: error, authError }, "Auth.js error");
  },
  warn(code) {
    logger().warn({ authWarning: code }, "Auth.js warning");
  },
  debug(message) {
    logger().debug({ auth: message }, "Auth.js debug");
  },
};
