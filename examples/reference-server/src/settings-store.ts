import type Database from 'better-sqlite3';

/** Small durable server state (table `settings`): survives restarts, e.g. the admin token rotation. */
export interface SettingsStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** Settings in the server database. */
export function createSettingsStore(db: Database.Database): SettingsStore {
  const select = db.prepare('SELECT value FROM settings WHERE key = ?');
  const upsert = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');
  return {
    get: (key) => (select.get(key) as { value: string } | undefined)?.value,
    set: (key, value) => void upsert.run(key, value),
    delete: (key) => void remove.run(key),
  };
}
