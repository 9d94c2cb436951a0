import { readdirSync } from "node:fs";
import path from "node:path";

/**
 * The app's routes as the App Router sees them, read from app/: every `page.tsx` and every `route.ts`,
 * as URL patterns ("/agents/[id]"; route groups such as "(app)" dropped). Tests that must visit every
 * page take the list from here, so a new page is visited without anyone adding it by hand.
 */
export interface AppRoutes {
  pages: string[];
  handlers: string[];
}

export function appRoutes(appDir = "app"): AppRoutes {
  const routes: AppRoutes = { pages: [], handlers: [] };
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        // (group) folders do not appear in the URL; _private and @slot folders are not routes.
        if (entry.name.startsWith("_") || entry.name.startsWith("@")) continue;
        const inUrl = entry.name.startsWith("(") && entry.name.endsWith(")") ? [] : [entry.name];
        walk(path.join(dir, entry.name), [...segments, ...inUrl]);
      } else if (/^page\.(tsx|ts|jsx|js)$/.test(entry.name)) {
        routes.pages.push(`/${segments.join("/")}`);
      } else if (/^route\.(ts|js)$/.test(entry.name)) {
        routes.handlers.push(`/${segments.join("/")}`);
      }
    }
  };
  walk(appDir, []);
  routes.pages.sort();
  routes.handlers.sort();
  return routes;
}

/** The dynamic segments of a pattern: "/conversations/[id]" → ["[id]"]. */
export const dynamicSegments = (pattern: string) => pattern.split("/").filter((s) => s.startsWith("["));
