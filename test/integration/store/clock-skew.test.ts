// Business times come from the gateway's clock, not from PostgreSQL's now(): a gateway whose clock is
// far from the database server's still writes and decides with its own time. Here the gateway's clock is
// a year and a half ahead of the (real) database clock, then far behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { steppedClock } from '../../../src/clock.ts';
import { withClock } from '../../../src/store/db.ts';
import { addOutbox, pendingOutbox } from '../../../src/store/outbox.ts';
import { appendAuditNow } from '../../../src/store/audit-log.ts';

let database: TestDatabase;
beforeAll(async () => { database = await createTestDatabase(); });
afterAll(async () => { await database?.drop(); });

const databaseNow = async (): Promise<Date> =>
  (await database.db.pool.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;

describe('a gateway clock skewed from the database server', () => {
  it('outbox work becomes available by the gateway clock, whatever the server clock says', async () => {
    const serverNow = await databaseNow();
    const clock = steppedClock(new Date(serverNow.getTime() + 550 * 86_400_000)); // ~18 months ahead
    const ahead = withClock(database.db, clock);
    const key = `skew-${randomBytes(4).toString('hex')}`;
    await ahead.prisma.$transaction((tx) => addOutbox(tx, 'skew-test', key, {}, clock.now()));

    // By the gateway's (future) clock the row is due; by the database's now() it would not be yet.
    expect((await pendingOutbox(ahead, 100)).map((r) => r.key)).toContain(key);
    const row = await database.db.prisma.outbox.findFirstOrThrow({ where: { key } });
    expect(row.availableAt.toISOString()).toBe(clock.now().toISOString());
    expect(row.availableAt.getTime()).toBeGreaterThan(serverNow.getTime());

    // A gateway whose clock is behind the row's time does not see it: the rule follows the clock it is given.
    const behind = withClock(database.db, steppedClock(new Date(serverNow.getTime() - 400 * 86_400_000)));
    expect((await pendingOutbox(behind, 100)).map((r) => r.key)).not.toContain(key);
  });

  it('the audit log records the gateway clock', async () => {
    const clock = steppedClock('2027-02-06T02:00:00Z'); // first day of Tết 2027, whatever today is
    const seq = await appendAuditNow(withClock(database.db, clock), { actor: 'skew-test', action: 'SKEW_TEST', entityType: 'test' });
    const row = await database.db.prisma.auditLog.findUniqueOrThrow({ where: { seq } });
    expect(row.at.toISOString()).toBe('2027-02-06T02:00:00.000Z');
  });
});
