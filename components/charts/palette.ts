/**
 * Series colours as full Tailwind class names (the build only keeps class names it finds written
 * out), each with a lighter variant for dark mode. SVG shapes use `fill`, legends use `bg`.
 */
export const seriesColors = [
  { fill: "fill-indigo-500 dark:fill-indigo-400", bg: "bg-indigo-500 dark:bg-indigo-400" },
  { fill: "fill-emerald-500 dark:fill-emerald-400", bg: "bg-emerald-500 dark:bg-emerald-400" },
  { fill: "fill-amber-500 dark:fill-amber-400", bg: "bg-amber-500 dark:bg-amber-400" },
  { fill: "fill-sky-500 dark:fill-sky-400", bg: "bg-sky-500 dark:bg-sky-400" },
  { fill: "fill-rose-500 dark:fill-rose-400", bg: "bg-rose-500 dark:bg-rose-400" },
  { fill: "fill-violet-500 dark:fill-violet-400", bg: "bg-violet-500 dark:bg-violet-400" },
  { fill: "fill-teal-500 dark:fill-teal-400", bg: "bg-teal-500 dark:bg-teal-400" },
  { fill: "fill-orange-500 dark:fill-orange-400", bg: "bg-orange-500 dark:bg-orange-400" },
] as const;

export const seriesColor = (index: number) => seriesColors[index % seriesColors.length]!;

export const statusColors: Record<string, { fill: string; bg: string }> = {
  completed: { fill: "fill-emerald-500 dark:fill-emerald-400", bg: "bg-emerald-500 dark:bg-emerald-400" },
  escalated: { fill: "fill-amber-500 dark:fill-amber-400", bg: "bg-amber-500 dark:bg-amber-400" },
  abandoned: { fill: "fill-slate-400 dark:fill-slate-500", bg: "bg-slate-400 dark:bg-slate-500" },
  failed: { fill: "fill-red-500 dark:fill-red-400", bg: "bg-red-500 dark:bg-red-400" },
};

/** A round axis maximum (1, 2, 5 x 10^n) at or above `value`, and its tick step. */
export function niceScale(value: number, ticks = 4): { max: number; step: number } {
  if (value <= 0) return { max: ticks, step: 1 };
  const rough = value / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  return { max: Math.ceil(value / step) * step, step };
}
