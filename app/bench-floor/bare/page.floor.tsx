import { PlainRows } from "../floor";

/** 50 plain rows: no database, no session, no middleware. */
export default function BareFloorPage() {
  const rows = Array.from({ length: 50 }, (_, i) => ({
    key: String(i),
    cells: [`Agent ${i % 7}`, "voice", `Caller asked about item ${i}.`, "+1 555 0100", "2026-01-01 10:00", "3m 20s"],
  }));
  return <PlainRows rows={rows} />;
}
