import type { memberRoles } from "../schema";

/** The demo sign-ins: seeded by db/seed, listed on the login page in development. */
export interface DemoMembership {
  tenantSlug: string;
  role: (typeof memberRoles)[number];
}

export interface DemoUser {
  email: string;
  name: string;
  memberships: DemoMembership[];
}

export const demoUsers: DemoUser[] = [
  { email: "alice@acme.test", name: "Alice Anders", memberships: [{ tenantSlug: "acme-health", role: "owner" }] },
  { email: "bob@globex.test", name: "Bob Brooks", memberships: [{ tenantSlug: "globex-realty", role: "owner" }] },
  { email: "carol@initech.test", name: "Carol Chen", memberships: [{ tenantSlug: "initech-salons", role: "owner" }] },
  {
    email: "dana@demo.test",
    name: "Dana Diaz",
    memberships: [
      { tenantSlug: "acme-health", role: "admin" },
      { tenantSlug: "globex-realty", role: "member" },
    ],
  },
];

export const demoPassword = "demo-password";
