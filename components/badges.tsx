const statuses = new Set(["completed", "escalated", "abandoned", "failed"]);
/** A caller's extra class (a grid area in a list row), after the badge's own. */
const extra = (className?: string) => (className ? ` ${className}` : "");

/** A conversation's status as a coloured pill (component classes in app/globals.css). */
export function StatusBadge({ status, className }: { status: string; className?: string }) {
  return (
    <span className={`badge badge-${statuses.has(status) ? status : "abandoned"}${extra(className)}`}>{status}</span>
  );
}

/** The channel with its icon (drawn by the class, once in the CSS rather than in every row). */
export function ChannelBadge({ channel, className }: { channel: string; className?: string }) {
  return (
    <span className={`channel channel-${channel === "voice" ? "voice" : "chat"}${extra(className)}`}>{channel}</span>
  );
}
