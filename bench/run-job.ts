import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Job } from "./job";

export const resultsDir = path.join(process.cwd(), "bench", "results");
const scratchDir = path.join(resultsDir, "tmp");

let jobCount = 0;
/** Runs one job (bench/job.ts) in a child process whose environment points the app code at `appEnv`. */
export function runJob<T>(job: Job, appEnv: Record<string, string>): Promise<T> {
  mkdirSync(scratchDir, { recursive: true });
  const n = ++jobCount;
  const jobFile = path.join(scratchDir, `job-${process.pid}-${n}.json`);
  const resultFile = path.join(scratchDir, `result-${process.pid}-${n}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/job.ts", jobFile, resultFile], {
      env: { ...process.env, ...appEnv },
      stdio: "inherit",
    });
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`bench job ${job.kind} failed (exit ${code})`));
      resolve(JSON.parse(readFileSync(resultFile, "utf8")) as T);
    });
  });
}
