import { env } from "@/lib/env";
import { logger } from "@/lib/logger";

/**
 * Outgoing email behind one interface, so delivery is pluggable. The built-in transport, `log`,
 * writes each message to the server log (development; invitation links are also shown in the UI).
 * To deliver for real, implement Mailer with your provider's client (SMTP, an HTTP API) and return it
 * from mailer() for a new MAIL_TRANSPORT value (add the value in lib/env.ts).
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Shown to the sender, e.g. "written to the server log". */
  readonly description: string;
  send(message: MailMessage): Promise<void>;
}

const logMailer: Mailer = {
  description: "written to the server log (MAIL_TRANSPORT=log)",
  async send(message) {
    logger().info({ mail: message }, "email written to the log (MAIL_TRANSPORT=log)");
  },
};

export function mailer(): Mailer {
  switch (env().MAIL_TRANSPORT) {
    case "log":
      return logMailer;
  }
}
