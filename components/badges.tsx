import { cx } from "./ui";

const statuses = new Set(["completed", "escalated", "abandoned", "failed"]);

/** A conversation's status as a coloured pill (component classes in app/globals.css). */
export function StatusBadge({ status, className }: { status: string; className?: string }) {
  return <span className={cx(`badge badge-${statuses.has(status) ? status : "abandoned"}`, className)}>{status}</span>;
}

/** The channel with its icon (drawn by the class, once in the CSS rather than in every row). */
export function ChannelBadge({ channel, className }: { channel: string; className?: string }) {
  return <span className={cx(`channel channel-${channel === "voice" ? "voice" : "chat"}`, className)}>{channel}</span>;
}
