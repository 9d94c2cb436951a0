"use client";

import { useRouter } from "next/navigation";
import { useRef, type HTMLAttributes, type SyntheticEvent } from "react";

/**
 * A list of many links (a page of 50 rows): plain `<a>` elements and one client-side navigator for the
 * whole list instead of a `<Link>` in each row, which cost the conversation list about 4% of its
 * server CPU per request (docs/benchmark.md) and the browser 50 components to hydrate. A plain click
 * navigates without a full page load and pointing at or focusing a link prefetches it, as `<Link>`
 * does; a click with a modifier key or another button (a new tab, a new window) is the browser's.
 */
export function LinkList(props: Omit<HTMLAttributes<HTMLUListElement>, "onClick" | "onPointerOver" | "onFocus">) {
  const router = useRouter();
  const prefetched = useRef<string | null>(null);
  const prefetch = (event: SyntheticEvent) => {
    const href = ownLink(event);
    if (href && href !== prefetched.current) {
      prefetched.current = href;
      router.prefetch(href);
    }
  };
  return (
    <ul
      {...props}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        const href = ownLink(event);
        if (!href) return;
        event.preventDefault();
        router.push(href);
      }}
      onPointerOver={prefetch}
      onFocus={prefetch}
    />
  );
}

/** The link the event happened in, as a path, when it is this app's and opens in this tab. */
function ownLink(event: SyntheticEvent): string | null {
  const link = event.target instanceof Element ? event.target.closest("a") : null;
  if (!link?.href || !event.currentTarget.contains(link)) return null;
  if (link.target || link.hasAttribute("download") || link.origin !== window.location.origin) return null;
  return `${link.pathname}${link.search}${link.hash}`;
}
