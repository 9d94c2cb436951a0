import { can, type Role } from "@/lib/permissions";

/** The header's navigation. Add a page with one line; `visibleTo` hides links a role cannot use. */
export interface NavItem {
  href: string;
  label: string;
  visibleTo?: (role: Role) => boolean;
}

export const navItems: NavItem[] = [
  { href: "/overview", label: "Overview" },
  { href: "/conversations", label: "Conversations" },
  { href: "/agents", label: "Agents" },
  { href: "/ask", label: "Ask your data" },
  { href: "/settings/api-keys", label: "API keys", visibleTo: (role) => can(role, "apiKeys.read") },
  { href: "/settings/members", label: "Members" },
  { href: "/settings/audit", label: "Audit log", visibleTo: (role) => can(role, "auditLog.read") },
];
