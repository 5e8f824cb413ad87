import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from '../src/sqlite.js';
import { GroupCommit } from '../src/stores/group-commit.js';

let db: Database.Database;
afterEach(() => {
  if (db?.open) db.close();
});

function open(): { db: Database.Database; writes: GroupCommit; insert: (n: number) => unknown } {
  db = new Database(':memory:');
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
  const statement = db.prepare('INSERT INTO t (n) VALUES (?)');
  return { db, writes: new GroupCommit(db), insert: (n) => statement.run(n).changes };
}

const count = (): number => (db.prepare('SELECT COUNT(*) AS c FROM t').get() as { c: number }).c;

describe('GroupCommit', () => {
  it('commits the writes of one turn in one transaction, resolving each once committed', async () => {
    const { writes, insert } = open();
    let ranInTransaction = false;
    const pending = [1, 2, 3].map((n) => writes.run(() => insert(n)));
    const observed = writes.run(() => {
      ranInTransaction = db.inTransaction;
      return count();
    });
    expect(count()).toBe(0); // nothing is written before the turn ends
    expect(await Promise.all(pending)).toEqual([1, 1, 1]);
    expect(await observed).toBe(3); // ran inside the same transaction, after the three inserts
    expect(ranInTransaction).toBe(true);
    expect(count()).toBe(3);
  });

  it('rolls back and rejects only the failing write', async () => {
    const { writes, insert } = open();
    const results = await Promise.allSettled([
      writes.run(() => insert(1)),
      writes.run(() => {
        insert(2);
        insert(1); // duplicate key: this write fails after a partial change
      }),
      writes.run(() => insert(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT n FROM t ORDER BY n').pluck().all()).toEqual([1, 3]);
  });

  it('runs each write once when none fails, and again in its own savepoint after one does', async () => {
    const { writes, insert } = open();
    let first = 0;
    let second = 0;
    await Promise.all([writes.run(() => insert(++first * 10)), writes.run(() => insert(11 + second++))]);
    expect([first, second]).toEqual([1, 1]);
    const results = await Promise.allSettled([
      writes.run(() => insert(20 + first++)),
      writes.run(() => insert(10)), // duplicate: rolls back the optimistic batch
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(first).toBe(3); // the good write ran optimistically, then again in isolation
    expect(db.prepare('SELECT n FROM t ORDER BY n').pluck().all()).toEqual([10, 11, 22]);
  });

  it('rejects the whole batch when the commit itself fails, without running it twice', async () => {
    const { writes, insert } = open();
    let runs = 0;
    db.exec(
      'CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)',
    );
    db.pragma('foreign_keys = ON');
    const orphan = db.prepare('INSERT INTO child (p) VALUES (1)');
    const results = await Promise.allSettled([
      writes.run(() => {
        runs++;
        return insert(1);
      }),
      writes.run(() => orphan.run()), // fails only at COMMIT (deferred foreign key)
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(runs).toBe(1);
    expect(count()).toBe(0);
  });

  it('rejects every queued write when the connection is closed before the commit', async () => {
    const { writes, insert } = open();
    const queued = [writes.run(() => insert(1)), writes.run(() => insert(2))];
    db.close();
    for (const result of await Promise.allSettled(queued)) {
      expect(result).toMatchObject({ status: 'rejected', reason: { message: 'The store is closed' } });
    }
  });

  it('flush() commits what is queued at once', async () => {
    const { writes, insert } = open();
    const queued = writes.run(() => insert(7));
    writes.flush();
    expect(count()).toBe(1);
    await expect(queued).resolves.toBe(1);
    writes.flush(); // nothing queued: a no-op
  });
});

describe('createGroupCommit (public)', () => {
  it('commits the writes of one turn together and isolates a failing one', async () => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    const writes = createGroupCommit(db);
    const results = await Promise.allSettled([
      writes.run(() => insert.run(1).changes),
      writes.run(() => insert.run(1).changes), // duplicate: fails alone
      writes.run(() => insert.run(2).changes),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(count()).toBe(2);
    const queued = writes.run(() => insert.run(3).changes);
    writes.flush();
    expect(count()).toBe(3);
    await expect(queued).resolves.toBe(1);
  });
});
