const statusStyles: Record<string, string> = {
  completed: "bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-950 dark:text-emerald-300",
  escalated: "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-950 dark:text-amber-300",
  abandoned: "bg-slate-100 text-slate-700 ring-slate-500/20 dark:bg-slate-800 dark:text-slate-300",
  failed: "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-950 dark:text-red-300",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${statusStyles[status] ?? statusStyles.abandoned}`}
    >
      {status}
    </span>
  );
}

export function ChannelBadge({ channel }: { channel: string }) {
  return (
    <span className="inline-flex items-center gap-1 text-xs text-slate-600 dark:text-slate-400">
      <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5">
        {channel === "voice" ? (
          <path d="M2 3.5A1.5 1.5 0 0 1 3.5 2h1.15a1.5 1.5 0 0 1 1.46 1.14l.56 2.24a1.5 1.5 0 0 1-.43 1.45l-.9.83a11 11 0 0 0 4.99 5l.83-.9a1.5 1.5 0 0 1 1.45-.43l2.24.56A1.5 1.5 0 0 1 16 13.35v1.15A1.5 1.5 0 0 1 14.5 16h-1C7.15 16 2 10.85 2 4.5v-1Z" />
        ) : (
          <path d="M3 4.5A2.5 2.5 0 0 1 5.5 2h9A2.5 2.5 0 0 1 17 4.5v6a2.5 2.5 0 0 1-2.5 2.5H9l-3.6 3a.5.5 0 0 1-.82-.38V13h.01A2.5 2.5 0 0 1 3 10.5v-6Z" />
        )}
      </svg>
      {channel}
    </span>
  );
}
