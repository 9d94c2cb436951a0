import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { signedInUser } from "@/lib/auth/session";
import { Card, NarrowPage, PageHeader, TextLink } from "@/components/ui";
import { SignUpForm } from "./signup-form";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await signedInUser()) redirect("/conversations");
  return (
    <NarrowPage>
      <PageHeader
        large
        title="Create an account"
        description="You get a workspace of your own; nobody else sees its data until you invite them."
      />
      <Card className="p-6 shadow-sm">
        <SignUpForm />
      </Card>
      <p className="text-center text-sm text-slate-600 dark:text-slate-400">
        Already have an account?{" "}
        <TextLink href="/login" className="font-medium">
          Sign in
        </TextLink>
      </p>
    </NarrowPage>
  );
}
