/**
 * Shared UI pieces: the class strings every page would otherwise paste. Server and client components
 * both use them (no hooks here; the form pieces that need hooks are in components/form.tsx).
 */
export const controlClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-900";

const buttonVariants = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-500 focus-visible:ring-indigo-500/50",
  secondary:
    "border border-slate-300 bg-white hover:bg-slate-100 focus-visible:ring-indigo-500/40 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800",
  danger: "bg-red-600 text-white hover:bg-red-500 focus-visible:ring-red-500/50",
};

export type ButtonVariant = keyof typeof buttonVariants;

export function buttonClass(variant: ButtonVariant = "primary", size: "md" | "sm" = "md"): string {
  const padding = size === "sm" ? "px-2 py-1" : "px-4 py-2";
  return `rounded-md ${padding} text-sm font-medium focus:outline-none focus-visible:ring-2 disabled:opacity-60 ${buttonVariants[variant]}`;
}
