import type { Db } from "../db.js";

export function getSettings(db: Db): Record<string, string> {
  const rows = db.sql(`SELECT key, value FROM settings`).all() as { key: string; value: string }[];
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

export function setSetting(db: Db, key: string, value: string): void {
  db.sql(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(
    key,
    value,
  );
}
