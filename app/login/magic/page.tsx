import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { env } from "@/lib/env";
import { NarrowPage, PageTitle } from "@/components/ui";
import { MagicLinkConfirm } from "./confirm";

export const metadata: Metadata = { title: "Sign in with a link" };

// The link opens this page and signing in takes a click (a POST): mail scanners that fetch links do
// not use up the single-use link.
export default async function MagicLinkPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[] }>;
}) {
  // Reading the request first keeps this page dynamic: whether links are on is decided at run time.
  const { token } = await searchParams;
  if (!env().AUTH_MAGIC_LINKS) notFound();
  return (
    <NarrowPage>
      <PageTitle large>Sign in with your link</PageTitle>
      <MagicLinkConfirm token={typeof token === "string" ? token : ""} />
    </NarrowPage>
  );
}
