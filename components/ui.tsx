/**
 * Shared UI pieces: the class names every page would otherwise paste. Server and client components
 * both use them (no hooks here; the form pieces that need hooks are in components/form.tsx). The
 * longer ones are component classes in app/globals.css: a class string on every row of a list is
 * sent twice (in the HTML, and in the RSC payload that hydrates it).
 */
import Link from "next/link";
import type { ComponentProps, HTMLAttributes, ReactNode } from "react";

/** The class names that are set, separated by spaces. */
export function cx(...names: (string | false | undefined)[]): string {
  return names.filter(Boolean).join(" ");
}

export const labelClass = "block text-sm font-medium";

/** An input or a select. */
export const controlClass = "control";

export type ButtonVariant = "primary" | "secondary" | "danger";

export function buttonClass(variant: ButtonVariant = "primary", size: "md" | "sm" = "md"): string {
  return `btn btn-${size} btn-${variant}`;
}

/** The <summary> that opens a <details> menu. */
export const menuButtonClass = "menu-button";
/** The menu that opens under it; add left-0 or right-0. */
export const menuClass = "menu";
/** An entry of the menu: a button, or a link with "block". */
export const menuItemClass = "menu-item";
/** A link of the main navigation. */
export const navLinkClass = "nav-link";

/** A link that looks like a button (buttonClass); `className` adds to it, e.g. "block w-full". */
export function ButtonLink({
  variant,
  size,
  className,
  ...link
}: ComponentProps<typeof Link> & { variant?: ButtonVariant; size?: "md" | "sm" }) {
  return <Link className={cx(buttonClass(variant, size), className)} {...link} />;
}

export const textLinkClass = "text-link";

/** An inline link; `className` adds to it, e.g. "text-sm". */
export function TextLink({ className, ...link }: ComponentProps<typeof Link>) {
  return <Link className={cx(textLinkClass, className)} {...link} />;
}

/** "← All agents": the way back to the list a page belongs to. */
export function BackLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <TextLink href={href} className="text-sm">
      ← {children}
    </TextLink>
  );
}

/** The links to the newer and the older page of a list; the older one keeps to the right. */
export function Pagination({ newer, older }: { newer: ReactNode; older: ReactNode }) {
  return (
    <nav className="flex justify-between text-sm" aria-label="Pagination">
      {newer ?? <span />}
      {older}
    </nav>
  );
}

/** The page's <h1>: `large` on the pages outside the app shell (sign in, 404, …). */
export function PageTitle({ large = false, ...heading }: ComponentProps<"h1"> & { large?: boolean }) {
  return <h1 className={large ? "text-2xl font-semibold" : "text-xl font-semibold"} {...heading} />;
}

/** The page's title with a line under it, or with actions on the right (children). */
export function PageHeader({
  title,
  large,
  description,
  children,
}: { title: ReactNode; large?: boolean } & (
  { description: ReactNode; children?: never } | { description?: never; children?: ReactNode }
)) {
  if (description !== undefined) {
    return (
      <div>
        <PageTitle large={large}>{title}</PageTitle>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</p>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap items-baseline justify-between gap-3">
      <PageTitle large={large}>{title}</PageTitle>
      {children}
    </div>
  );
}

/** The facts under a page's title (channel, status, dates …), on one line that wraps. */
export function TitleFacts({ children }: { children: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-slate-600 dark:text-slate-400">
      {children}
    </div>
  );
}

/** A signed-out page (sign in, sign up, invitation): one narrow column in the middle of the screen. */
export function NarrowPage({ children }: { children: ReactNode }) {
  return <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-8 p-6">{children}</main>;
}

/** A page that is only a message (404, 403, no access), centred, with one way on (children). */
export function MessagePage({
  as: Element = "div",
  code,
  title,
  message,
  children,
}: {
  as?: "div" | "main";
  code?: string;
  title: string;
  message: ReactNode;
  children: ReactNode;
}) {
  return (
    <Element className="mx-auto flex min-h-[60vh] max-w-md flex-col items-center justify-center gap-4 p-6 text-center">
      {code ? <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">{code}</p> : null}
      <PageTitle large>{title}</PageTitle>
      <p className="text-slate-600 dark:text-slate-400">{message}</p>
      {children}
    </Element>
  );
}

/** The white panel with a border, for elements that cannot be a Card (a form, a list, a figure). */
export const cardClass = "card";

type CardProps = Omit<HTMLAttributes<HTMLElement>, "title"> & {
  /** A red border: for what cannot be undone. */
  danger?: boolean;
} & (
    | { title: ReactNode; headingId: string; description?: ReactNode }
    | { title?: never; headingId?: never; description?: never }
  );

/**
 * A panel. With a title it is a <section> named by its <h2> (whose id forms can point at), with an
 * optional line under the title. `className` is its padding and layout ("p-5" unless given).
 */
export function Card({ title, headingId, description, danger, className = "p-5", children, ...props }: CardProps) {
  const panel = cx(cardClass, danger && "card-danger", className);
  if (title === undefined) {
    return (
      <div className={panel} {...props}>
        {children}
      </div>
    );
  }
  return (
    <section aria-labelledby={headingId} className={panel} {...props}>
      <h2 id={headingId} className={description ? "font-semibold" : "mb-4 font-semibold"}>
        {title}
      </h2>
      {description ? <p className="mb-4 mt-1 text-sm text-slate-500 dark:text-slate-400">{description}</p> : null}
      {children}
    </section>
  );
}

/** Lines between the rows of a list or a table body. */
export const dividedClass = "divided";

/** A table in a card: `head` is the header row's cells (Th), children the body's rows (Td). */
export function DataTable({
  caption,
  head,
  children,
  ...table
}: Omit<ComponentProps<"table">, "className"> & { caption?: string; head: ReactNode }) {
  return (
    <div className={`overflow-x-auto ${cardClass}`}>
      <table className="w-full text-left text-sm" {...table}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:text-slate-400">
          <tr>{head}</tr>
        </thead>
        <tbody className={dividedClass}>{children}</tbody>
      </table>
    </div>
  );
}

/** A column header (scope="col" unless given, e.g. scope="row" for a row header); `numeric` aligns right. */
export function Th({ numeric, className, ...cell }: ComponentProps<"th"> & { numeric?: boolean }) {
  return <th scope="col" className={cx("px-4 py-2 font-medium", numeric && "text-right", className)} {...cell} />;
}

/** A cell; `numeric`: right-aligned with digits of equal width; `date`: grey and on one line. */
export function Td({
  numeric,
  date,
  className,
  ...cell
}: ComponentProps<"td"> & { numeric?: boolean; date?: boolean }) {
  return (
    <td
      className={cx(
        "px-4 py-2",
        numeric && "text-right tabular-nums",
        date && "whitespace-nowrap text-slate-600 dark:text-slate-400",
        className,
      )}
      {...cell}
    />
  );
}

/** What a list shows when it has nothing to list. */
export function EmptyState(props: Omit<ComponentProps<"div">, "className">) {
  return (
    <div
      className="rounded-xl border border-dashed border-slate-300 p-10 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400"
      {...props}
    />
  );
}

const tones = {
  error: "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300",
  warning: "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  success: "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  info: "bg-indigo-50 text-indigo-950 dark:bg-indigo-950 dark:text-indigo-100",
};
const toneBorders = {
  error: "border-red-200 dark:border-red-900",
  warning: "border-amber-300 dark:border-amber-800",
  success: "border-emerald-300 dark:border-emerald-800",
  info: "border-indigo-200 dark:border-indigo-900",
};
export type Tone = keyof typeof tones;

/** A one-line message: errors and warnings are alerts, the others status messages (`role` overrides). */
export function Notice({ tone, ...props }: Omit<ComponentProps<"p">, "className"> & { tone: Tone }) {
  return (
    <p
      role={tone === "error" || tone === "warning" ? "alert" : "status"}
      className={`rounded-md px-3 py-2 text-sm ${tones[tone]}`}
      {...props}
    />
  );
}

/** A bordered box of tinted content (no role unless given); `className` adds to it. */
export function Callout({ tone, className, ...props }: ComponentProps<"div"> & { tone: Tone }) {
  return <div className={cx("rounded-xl border p-4 text-sm", toneBorders[tone], tones[tone], className)} {...props} />;
}

/** A grey placeholder while a page loads; `className` gives its size and corners. */
export function Skeleton({ className }: { className: string }) {
  return <div className={`animate-pulse bg-slate-200/70 dark:bg-slate-800 ${className}`} />;
}
