// The batch builder stores one batch while it builds the next and reads the next page of candidates
// ahead. What that overlap must not change: a store that fails mid-build stops the build with that
// error and leaves every later change untouched for the next run; a change that moves while its batch
// is being built (here: returned by a trigger while the previous batch is stored) is left out, and its
// neighbours are rebuilt in another pass. Real PostgreSQL, failures injected by triggers.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { approvedChanges } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { buildBatches, type BatchBuilderOptions } from '../../../src/sync/batch-builder.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';

let database: TestDatabase;

async function builder(): Promise<BatchBuilderOptions> {
  const pki = await getTestPki();
  return {
    db: database.db, signer: pki.identity('org-signer'), senderCode: 'H55.19', maxRecords: 5, maxBytes: 16 * 1024 * 1024,
    deadlineMs: 60_000, actor: systemPrincipal('H55'), logger: createLogger('silent'),
  };
}

const sql = async (text: string) => database.db.pool.query(text);

/** Each change's batch: every change in at most one batch, and the batch rows agree with the changes. */
async function placement(changeIds: string[]) {
  const { rows } = await database.db.pool.query<{ id: string; state: string; batch_id: string | null; records: string }>(`
    SELECT c.id, c.state::text, c.batch_id, (SELECT count(*) FROM batch_record br WHERE br.change_id = c.id)::text AS records
    FROM profile_change c WHERE c.id = ANY($1::uuid[])`, [changeIds]);
  return rows;
}

beforeAll(async () => {
  database = await createTestDatabase('gw_builder');
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 120, seed: 11 });
});
afterAll(async () => {
  await database?.drop();
});
beforeEach(async () => {
  await sql('DROP TRIGGER IF EXISTS inject ON batch; DROP FUNCTION IF EXISTS inject_fault()');
});

it('stops at a store that fails mid-build: the batches before it stand, nothing after it is touched', async () => {
  const { period, changeIds } = await approvedChanges(database.db, 23);
  // The second batch cannot be stored (a full disk, a lost connection: any error that is not a conflict).
  await sql(`CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF (SELECT count(*) FROM batch) >= 1 THEN RAISE EXCEPTION 'injected: could not extend file'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER inject BEFORE INSERT ON batch FOR EACH ROW EXECUTE FUNCTION inject_fault()`);
  const o = await builder();
  await expect(buildBatches(period, o)).rejects.toThrow(/injected: could not extend file/);
  const after = await placement(changeIds);
  expect(after.filter((r) => r.state === 'BATCHED')).toHaveLength(5);
  expect(after.filter((r) => r.state === 'PROVINCE_APPROVED' && r.batch_id === null && r.records === '0')).toHaveLength(18);
  const { rows: batches } = await database.db.pool.query<{ n: string; outbox: string }>(
    'SELECT (SELECT count(*) FROM batch)::text AS n, (SELECT count(*) FROM outbox)::text AS outbox');
  expect(batches[0]).toEqual({ n: '1', outbox: '1' });

  // The next run, with the fault gone, builds the rest: each change in exactly one batch.
  await sql('DROP TRIGGER inject ON batch');
  const rerun = await buildBatches(period, o);
  expect(rerun.batches.map((b) => b.records)).toEqual([5, 5, 5, 3]);
  const final = await placement(changeIds);
  expect(final.every((r) => r.state === 'BATCHED' && r.batch_id !== null && r.records === '1')).toBe(true);
});

it('leaves out a change returned while its batch was built and rebuilds its neighbours', async () => {
  await sql("UPDATE profile_change SET state = 'SYNCED' WHERE state = 'BATCHED'"); // the previous test's batches, settled
  const { period, changeIds } = await approvedChanges(database.db, 12);
  const returned = [...changeIds].sort()[7]!; // batches take changes in id order: in the second, built while the first is stored
  await sql(`CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE profile_change SET state = 'RETURNED' WHERE id = '${returned}' AND state = 'PROVINCE_APPROVED'; RETURN NEW; END $$;
    CREATE TRIGGER inject AFTER INSERT ON batch FOR EACH ROW EXECUTE FUNCTION inject_fault()`);
  const result = await buildBatches(period, await builder());
  expect(result.batches.reduce((n, b) => n + b.records, 0)).toBe(11);
  const final = await placement(changeIds);
  expect(final.find((r) => r.id === returned)).toMatchObject({ state: 'RETURNED', batch_id: null, records: '0' });
  expect(final.filter((r) => r.id !== returned).every((r) => r.state === 'BATCHED' && r.records === '1')).toBe(true);
});
