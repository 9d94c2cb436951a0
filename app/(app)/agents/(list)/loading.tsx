// In the (list) route group so it does not wrap /agents/[id]: a loading boundary starts the response
// (status 200) before that page could answer 404 for a missing or foreign id.
export default function Loading() {
  return (
    <div className="space-y-3" aria-busy="true" aria-label="Loading agents">
      <div className="h-8 w-40 animate-pulse rounded bg-slate-200/70 dark:bg-slate-800" />
      {Array.from({ length: 5 }, (_, i) => (
        <div key={i} className="h-12 animate-pulse rounded-lg bg-slate-200/70 dark:bg-slate-800" />
      ))}
    </div>
  );
}
