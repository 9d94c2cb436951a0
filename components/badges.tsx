const statusStyles: Record<string, string> = {
  completed: "bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-950 dark:text-emerald-300",
  escalated: "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-950 dark:text-amber-300",
  abandoned: "bg-slate-100 text-slate-700 ring-slate-500/20 dark:bg-slate-800 dark:text-slate-300",
  failed: "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-950 dark:text-red-300",
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${statusStyles[status] ?? statusStyles.abandoned}`}>{status}</span>;
}

export function ChannelBadge({ channel }: { channel: string }) {
  return (
    <span className="inline-flex items-center gap-1 text-xs text-slate-600 dark:text-slate-400">
      <span aria-hidden>{channel === "voice" ? "☎" : "💬"}</span>
      {channel}
    </span>
  );
}
