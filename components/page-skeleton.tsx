/** The loading state of a page: placeholder rows while the server renders it. */
export function PageSkeleton({ rows = 6 }: { rows?: number }) {
  return (
    <div className="space-y-3" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-12 animate-pulse rounded-lg bg-slate-200/70 dark:bg-slate-800" />
      ))}
    </div>
  );
}
