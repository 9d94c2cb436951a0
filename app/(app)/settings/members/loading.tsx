import { PageSkeleton } from "@/components/page-skeleton";

// Only pages that never answer 403/404 get a loading boundary: once it streams, the status is 200.
export default function Loading() {
  return <PageSkeleton />;
}
