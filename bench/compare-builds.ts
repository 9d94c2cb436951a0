// Server CPU per request of a page (PAGE, /conversations by default) for two builds side by side (two
// git trees, each built with `npx next build`), rounds interleaved so that the machine's load falls on
// both alike. Two processes differ by more than one process serving two pages: for a change to one
// page, compare-pages.ts with the changed page at a path of its own is the finer measure.
//   [PAGE=/overview ROUNDS=6 REQUESTS=1000] npx tsx bench/compare-builds.ts <tree before> <tree after>
import { cpuPerRequest, sideBySide, sideBySideReport } from "./side-by-side";

const [baseTree, newTree] = process.argv.slice(2) as [string, string];
const page = process.env.PAGE ?? "/conversations";
const rounds = Number(process.env.ROUNDS ?? 6);
const requests = Number(process.env.REQUESTS ?? 1000);

const bench = await sideBySide();
try {
  const servers = [await bench.server("before", baseTree), await bench.server("after", newTree)];
  for (const s of servers) await cpuPerRequest(s, page, 1000); // warm-up
  const results = servers.map((s) => ({ name: s.name, rounds: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) results[i]!.rounds.push(await cpuPerRequest(servers[i]!, page, requests));
  }
  console.log(sideBySideReport(results));
} finally {
  await bench.close();
}
