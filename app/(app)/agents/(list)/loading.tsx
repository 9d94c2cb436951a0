import { Skeleton } from "@/components/ui";

// In the (list) route group so it does not wrap /agents/[id]: a loading boundary starts the response
// (status 200) before that page could answer 404 for a missing or foreign id.
export default function Loading() {
  return (
    <div className="space-y-3" aria-busy="true" aria-label="Loading agents">
      <Skeleton className="h-8 w-40 rounded" />
      {Array.from({ length: 5 }, (_, i) => (
        <Skeleton key={i} className="h-12 rounded-lg" />
      ))}
    </div>
  );
}
