// Read-only queries for the operator console and the metrics: progress of a period per agency, counts
// by state, batch durations, and what the batch table says about the national link. Each is one
// grouped query over indexed columns; nothing here writes.
import type { Db } from './db.ts';

export interface ProgressRow {
  agencyCode: string;
  agencyName: string | null;
  state: string;
  count: number;
  /** Of `count`, the changes listed in `overdueIds`. */
  overdue: number;
}

/**
 * Changes of `agencyRoot`'s subtree in period `period`, counted by the agency that approves them and
 * their current state. A change belongs to the period its agency approved it in (`period`); one not
 * yet approved by its agency belongs to the current period (`includeUnapproved`), where its approval is due.
 */
export async function progressCounts(db: Db, o: { agencyRoot: string; period: string; includeUnapproved: boolean; overdueIds: readonly string[] }): Promise<ProgressRow[]> {
  const { rows } = await db.pool.query<ProgressRow>(`
    SELECT c.agency_code AS "agencyCode", a.name AS "agencyName", c.state::text AS state, count(*)::int AS count,
      count(*) FILTER (WHERE c.id = ANY($4::uuid[]))::int AS overdue
    FROM profile_change c LEFT JOIN agency a ON a.code = c.agency_code
    WHERE (c.agency_code = $1 OR c.agency_code LIKE $1 || '.%')
      AND (c.period = $2 OR ($3 AND c.period IS NULL))
    GROUP BY c.agency_code, a.name, c.state
    ORDER BY c.agency_code, c.state`, [o.agencyRoot, o.period, o.includeUnapproved, [...o.overdueIds]]);
  return rows;
}

/** Every change by state (the metrics' records by state). */
export async function changeStateCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ state: string; n: number }>('SELECT state::text AS state, count(*)::int AS n FROM profile_change GROUP BY state');
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export async function batchStateCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ state: string; n: number }>('SELECT state::text AS state, count(*)::int AS n FROM batch GROUP BY state');
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export interface DurationBuckets {
  /** Cumulative count per upper bound, in the order of `bounds`. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Build → settled durations of settled batches (ACCEPTED, PARTIAL, FAILED; seconds from creation to
 * the last state change), as cumulative histogram buckets. A re-run batch counts once, to its last settlement.
 */
export async function batchDurationBuckets(db: Db, bounds: readonly number[]): Promise<DurationBuckets> {
  const { rows } = await db.pool.query<{ le: number; n: number }>(`
    WITH d AS (SELECT extract(epoch FROM updated_at - created_at)::float8 AS s FROM batch WHERE state IN ('ACCEPTED', 'PARTIAL', 'FAILED'))
    SELECT b.le, (SELECT count(*)::int FROM d WHERE d.s <= b.le) AS n FROM unnest($1::float8[]) AS b(le)`, [[...bounds]]);
  const totals = await db.pool.query<{ sum: number | null; count: number }>(`
    SELECT sum(extract(epoch FROM updated_at - created_at))::float8 AS sum, count(*)::int AS count
    FROM batch WHERE state IN ('ACCEPTED', 'PARTIAL', 'FAILED')`);
  const byBound = new Map(rows.map((r) => [Number(r.le), r.n]));
  return { buckets: bounds.map((b) => byBound.get(b) ?? 0), sum: totals.rows[0]?.sum ?? 0, count: totals.rows[0]?.count ?? 0 };
}

/** The latest national receipt, and the latest batch error still on record (cleared when a receipt settles the batch). */
export async function storedNationalLink(db: Db): Promise<{ lastReceiptAt: Date | null; lastError: { at: Date; code: string; batchId: string; state: string } | null }> {
  const received = await db.pool.query<{ at: Date | null }>('SELECT max(received_at) AS at FROM batch');
  const failed = await db.pool.query<{ at: Date; code: string; batchId: string; state: string }>(`
    SELECT updated_at AS at, last_error_code AS code, batch_id AS "batchId", state::text AS state
    FROM batch WHERE last_error_code IS NOT NULL ORDER BY updated_at DESC LIMIT 1`);
  return { lastReceiptAt: received.rows[0]?.at ?? null, lastError: failed.rows[0] ?? null };
}
