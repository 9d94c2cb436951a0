import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { authConfig } from "./auth.config";
import { authenticate } from "@/db/auth";
import { userTenants } from "@/lib/tenancy";

const credentials = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  password: z.string().min(1).max(200),
});

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(input) {
        const parsed = credentials.safeParse(input);
        if (!parsed.success) return null;
        const userId = await authenticate(parsed.data.email, parsed.data.password);
        if (!userId) return null;
        const tenants = await userTenants(userId);
        return { id: userId, email: parsed.data.email, activeTenantId: tenants[0]?.id };
      },
    }),
  ],
});
