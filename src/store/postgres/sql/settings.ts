import type { Db } from "../db.js";

export async function getSettings(db: Db): Promise<Record<string, string>> {
  const { rows } = await db.query<{ key: string; value: string }>(`SELECT key, value FROM ${db.s}.settings`);
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

export async function setSetting(db: Db, key: string, value: string): Promise<void> {
  await db.query(
    `INSERT INTO ${db.s}.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [key, value],
  );
}
