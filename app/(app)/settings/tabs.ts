import { can, type Role } from "@/lib/permissions";

/** The settings section's tabs. Add one with one line. */
export const settingsTabs: { href: string; label: string; visibleTo?: (role: Role) => boolean }[] = [
  { href: "/settings", label: "Profile" },
  { href: "/settings/members", label: "Members" },
  { href: "/settings/audit", label: "Audit log", visibleTo: (role) => can(role, "auditLog.read") },
];
