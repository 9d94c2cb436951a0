// Server CPU per request of several pages of one build, side by side in one server (PAGES, comma
// separated; the first is the reference), rounds interleaved. To try a change to a page, put the changed
// copy at a path of its own in a scratch tree (a floor page, or a copy of the route), build it with
// `npx next build` (BENCH_FLOOR_PAGES=1 for the floors) and compare the two paths.
//   PAGES=/conversations,/bench-floor/list [ROUNDS=8 REQUESTS=2000] npx tsx bench/compare-pages.ts [tree]
import { cpuPerRequest, sideBySide, sideBySideReport } from "./side-by-side";

const tree = process.argv[2] ?? process.cwd();
const pages = (process.env.PAGES ?? "/conversations,/bench-floor/list").split(",").filter(Boolean);
const rounds = Number(process.env.ROUNDS ?? 8);
const requests = Number(process.env.REQUESTS ?? 2000);

const bench = await sideBySide();
try {
  const server = await bench.server("server", tree);
  for (const page of pages) await cpuPerRequest(server, page, 1000); // warm-up
  const results = pages.map((name) => ({ name, rounds: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? results : [...results].reverse();
    for (const result of order) result.rounds.push(await cpuPerRequest(server, result.name, requests));
  }
  console.log(sideBySideReport(results));
} finally {
  await bench.close();
}
