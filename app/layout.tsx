import type { Metadata } from "next";
import { headers } from "next/headers";
import { themeScript } from "@/components/theme-toggle";
import { nonceHeader } from "@/lib/security-headers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Conversations", template: "%s · RLS Starter" },
  description: "Multi-tenant dashboard of AI agent conversations, isolated by PostgreSQL Row Level Security.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // This request's nonce (middleware.ts): the Content-Security-Policy runs no inline script without it.
  const nonce = (await headers()).get(nonceHeader) ?? undefined;
  return (
    // The theme script sets the `dark` class before React hydrates, hence suppressHydrationWarning.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        {children}
      </body>
    </html>
  );
}
