/**
 * A single-line progress bar on stderr. On a TTY it redraws in place, only when the whole
 * percentage changes; otherwise (CI, redirected output) it prints one line per 10%.
 */
export function progressBar(label: string, total: number): { tick(n?: number): void; done(): void } {
  const stream = process.stderr;
  const tty = stream.isTTY === true;
  const width = 30;
  const startedAt = performance.now();
  let current = 0;
  let lastPct = -1;
  let lastDecile = 0;
  let finished = false;

  const percent = (): number => (total > 0 ? Math.min(100, Math.floor((current / total) * 100)) : 100);
  const elapsed = (): string => `${((performance.now() - startedAt) / 1000).toFixed(1)}s`;

  function draw(pct: number): void {
    const filled = Math.round((pct / 100) * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    stream.write(`\r${label} [${bar}] ${String(pct).padStart(3)}% ${current}/${total} ${elapsed()}\x1b[K`);
  }

  function update(): void {
    const pct = percent();
    if (pct === lastPct) return;
    lastPct = pct;
    if (tty) {
      draw(pct);
      return;
    }
    const decile = Math.floor(pct / 10);
    if (decile > lastDecile) {
      lastDecile = decile;
      stream.write(`${label}: ${pct}% (${current}/${total}) ${elapsed()}\n`);
    }
  }

  if (tty) update();

  return {
    tick(n = 1) {
      if (finished) return;
      current += n;
      update();
    },
    done() {
      if (finished) return;
      finished = true;
      if (tty) {
        draw(percent());
        stream.write("\n");
      } else {
        stream.write(`${label}: done (${current}/${total}) in ${elapsed()}\n`);
      }
    },
  };
}
