export default function Loading() {
  return (
    <div className="space-y-3" aria-busy="true" aria-label="Loading">
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="h-14 animate-pulse rounded-lg bg-slate-200/70 dark:bg-slate-800" />
      ))}
    </div>
  );
}
