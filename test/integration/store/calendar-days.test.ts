// A DATE column is a calendar day whatever the process time zone: production in Vietnam runs with
// TZ=Asia/Ho_Chi_Minh, where pg's default parser moved every date back by a day (midnight local = 17:00Z
// the day before), which changed effective dates and so content hashes (CONTENT_HASH_MISMATCH at batching).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

let database: TestDatabase;
const zone = process.env.TZ;
beforeAll(async () => { database = await createTestDatabase(); });
afterAll(async () => { await database?.drop(); });
afterEach(() => { if (zone === undefined) delete process.env.TZ; else process.env.TZ = zone; });

describe('calendar days read from PostgreSQL', () => {
  it.each(['Asia/Ho_Chi_Minh', 'UTC', 'America/Los_Angeles', 'Pacific/Kiritimati'])('are midnight UTC of the same day under TZ=%s', async (tz) => {
    process.env.TZ = tz; // Node applies a changed TZ at once
    const { rows } = await database.db.pool.query<{ d: Date; leap: Date; tet: Date }>(
      "SELECT '2027-03-01'::date AS d, '2028-02-29'::date AS leap, '2027-02-06'::date AS tet");
    expect(rows[0]!.d.toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(rows[0]!.leap.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(rows[0]!.tet.toISOString()).toBe('2027-02-06T00:00:00.000Z');
  });

  it('and through Prisma too', async () => {
    process.env.TZ = 'Asia/Ho_Chi_Minh';
    const [row] = await database.db.prisma.$queryRaw<Array<{ d: Date }>>`SELECT '2027-03-01'::date AS d`;
    expect(row!.d.toISOString()).toBe('2027-03-01T00:00:00.000Z');
  });
});
