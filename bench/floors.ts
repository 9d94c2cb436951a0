import { gzipSync } from "node:zlib";
import postgres from "postgres";
import { browserHeaders, get, type HttpMeasurement, type HttpTarget } from "./http";
import { median } from "./stats";

/**
 * The floor pages (app/bench-floor/, built only with BENCH_FLOOR_PAGES=1): what a page cannot do
 * without, loaded in the same rounds as the real pages so the ratio page / floor is read from one run.
 * - bare: 50 plain rows, no database, no session, no middleware;
 * - list, search, detail, overview: the Auth.js session, withTenant and the page's own query, plain rows;
 * - list + middleware: the list's floor where middleware.ts runs, to tell what the middleware costs;
 * - list in the app shell: the session and membership check and the app's layout, then the list's
 *   query as plain rows (the shell every signed-in page renders), to tell the shell from the content.
 */
export const floorPagesEnv = { BENCH_FLOOR_PAGES: "1" };

/** A real page, its floor, and how far above the floor its server CPU per request may be. */
export interface FloorPair {
  page: string;
  floor: string;
  limit: number;
}

export function floorTargets(
  cookie: Record<string, string>,
  pages: { search: string; detail: string },
): { targets: HttpTarget[]; pairs: FloorPair[] } {
  const detailId = pages.detail.slice(pages.detail.lastIndexOf("/") + 1);
  const targets = [
    { name: "floor: bare page", path: "/bench-floor/bare", headers: {} },
    { name: "floor: list", path: "/bench-floor/list", headers: cookie },
    { name: "floor: search", path: `/bench-floor/list${pages.search}`, headers: cookie },
    { name: "floor: detail", path: `/bench-floor/detail/${detailId}`, headers: cookie },
    { name: "floor: overview", path: "/bench-floor/overview", headers: cookie },
    { name: "floor: list + middleware", path: "/bench-floor-middleware/list", headers: cookie },
    { name: "floor: list in the app shell", path: "/bench-floor-shell/list", headers: cookie },
  ];
  const pairs = [
    { page: "/conversations", floor: targets[1]!.path, limit: 1.3 },
    { page: `/conversations${pages.search}`, floor: targets[2]!.path, limit: 1.5 },
    { page: pages.detail, floor: targets[3]!.path, limit: 1.3 },
    { page: "/overview", floor: targets[4]!.path, limit: 1.3 },
  ];
  return { targets, pairs };
}

/**
 * The targets with each page's floor right after it, so a page and its floor are measured seconds
 * apart in every round (the HTTP phase reverses the order every other round, so neither goes first
 * more often): the machine's load drifts over a round of a dozen slots.
 */
export function besideTheirFloors<T extends { path: string }>(targets: T[], pairs: FloorPair[]): T[] {
  const floorOf = new Map(pairs.map((p) => [p.page, p.floor]));
  const floors = new Set(pairs.map((p) => p.floor));
  return targets.flatMap((t) => {
    if (floors.has(t.path)) return [];
    const floor = targets.find((f) => f.path === floorOf.get(t.path));
    return floor ? [t, floor] : [t];
  });
}

export interface FloorRatio {
  page: string;
  floor: string;
  limit: number;
  pageCpuMs: number;
  floorCpuMs: number;
  /**
   * The median over the rounds of page / floor within the round, the two measured one after the other:
   * a burst of load from outside lands on one slot, and so on one round's ratio, not on the median.
   */
  ratio: number;
  /** Each round's page / floor. */
  roundRatios: number[];
  /** The whole run's CPU per request of the page over the floor's. */
  wholeRunRatio: number;
  /** The bare page's: what the session, the database and the markup add above it. */
  bareCpuMs: number;
}

function pairedRatio(page: number[], floor: number[]): { ratio: number; roundRatios: number[] } {
  const roundRatios = page.map((p, i) => p / floor[i]!).filter(Number.isFinite);
  return { ratio: median(roundRatios), roundRatios };
}

/** Server CPU per request of each page over its floor, signed context (the app as it runs). */
export function floorRatios(measurements: HttpMeasurement[], pairs: FloorPair[]): FloorRatio[] {
  const signed = (path: string) =>
    measurements.find((m) => m.mode === "signed" && m.target.path === path && m.serverCpuMs !== undefined);
  const bare = signed("/bench-floor/bare");
  return pairs.flatMap(({ page, floor, limit }) => {
    const p = signed(page);
    const f = signed(floor);
    if (!p || !f) return [];
    return [
      {
        page: p.target.name,
        floor: f.target.name,
        limit,
        pageCpuMs: p.serverCpuMs!,
        floorCpuMs: f.serverCpuMs!,
        ...pairedRatio(p.serverCpuRoundsMs ?? [], f.serverCpuRoundsMs ?? []),
        wholeRunRatio: p.serverCpuMs! / f.serverCpuMs!,
        bareCpuMs: bare?.serverCpuMs ?? Number.NaN,
      },
    ];
  });
}

export interface AnswerSize {
  path: string;
  /** The answer without compression, and as a browser receives it. */
  rawBytes: number;
  wireBytes: number;
  contentEncoding: string | null;
  /** The same body gzipped here (level 6): what compression would give where the server sends it raw. */
  gzipBytes: number;
}

/** One request per page without and with the browser's Accept-Encoding. */
export async function answerSizes(baseUrl: string, targets: HttpTarget[]): Promise<AnswerSize[]> {
  const sizes: AnswerSize[] = [];
  for (const t of targets) {
    const raw = await get(baseUrl, t.path, t.headers);
    const wire = await get(baseUrl, t.path, { ...browserHeaders, ...t.headers });
    const encoding = wire.headers["content-encoding"];
    sizes.push({
      path: t.path,
      rawBytes: raw.bytes,
      wireBytes: wire.bytes,
      contentEncoding: typeof encoding === "string" ? encoding : null,
      gzipBytes: gzipSync(Buffer.from(raw.body, "utf8")).length,
    });
  }
  return sizes;
}

/** The cluster's data directory (its postmaster.pid names the process whose CPU is read). */
export async function dataDirectory(ownerUrl: string): Promise<string> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await owner<{ setting: string }[]>`select setting from pg_settings where name = 'data_directory'`;
    return row!.setting;
  } finally {
    await owner.end();
  }
}

/** A page's ratio to its floor for the tables: the median, the rounds' range, the target. */
export function floorCell(f: Pick<FloorRatio, "ratio" | "limit"> & { roundRatios?: number[] }): string {
  const rounds = f.roundRatios ?? []; // results files from before the ratio was taken round by round
  if (rounds.length === 0) return `${f.ratio.toFixed(2)}x (≤ ${f.limit}x)`;
  return `${f.ratio.toFixed(2)}x (rounds ${Math.min(...rounds).toFixed(2)}–${Math.max(...rounds).toFixed(2)}; ≤ ${f.limit}x)`;
}
