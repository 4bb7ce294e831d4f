// Bulk entry of changes: a province's initial load (every record sent to the national side for the first
// time) or a mass update decided at once, streamed with COPY instead of one transaction per change —
// Prisma's per-row cost (~1.5k rows/s, STACK.md §f) makes 250,000 changes take hours, COPY seconds.
//
// The caller prepares each change exactly as the single-change path does (http/change-input.ts
// prepareContent: NFC, validation, the domain's contentSha256), so a bulk change cannot be told apart from
// one entered through the API: the same columns, the same lifecycle events (created; verified when it
// enters VERIFIED), the same one-open-change-per-person rule (the partial unique index refuses a second
// one: CHANGE_PENDING, nothing written). The whole load is one transaction with one audit row.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from './db.ts';
import { appendAuditOnClient } from './audit-log.ts';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { ChangeKind, PersonCategory, PersonStatus } from '../generated/prisma/client.ts';

export interface BulkChange {
  personalId: string;
  kind: ChangeKind;
  category: PersonCategory;
  status: PersonStatus;
  managingAgencyCode: string;
  employingAgencyCode: string;
  effectiveDate: Date | null;
  /** The normalised profile, as prepareContent returns it. */
  profile: unknown;
  contentSha256: string;
  /** The person's version the change was made against (checked against the person in the transaction). */
  baseVersion: number;
}

export interface BulkOptions {
  /** SUBMITTED (entered), or VERIFIED (entered and checked against the paper file by the unit's HR officer). */
  state: 'SUBMITTED' | 'VERIFIED';
  source?: string;
  reason?: string | null;
}

/** One text-format COPY field: `\N` for null, backslash escapes for the rest. */
function copyField(v: string | number | Date | null): string {
  if (v === null) return '\\N';
  const text = v instanceof Date ? v.toISOString() : String(v);
  return /[\\\n\r\t]/.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : text;
}

const CHANGE_COLUMNS = ['id', 'personal_id', 'kind', 'state', 'agency_code', 'category', 'status', 'managing_agency_code', 'employing_agency_code',
  'effective_date', 'profile', 'content_sha256', 'base_version', 'reason', 'source', 'created_by', 'created_at', 'updated_at', 'submitted_at', 'verified_at'];

/** Creates every change in one transaction; returns how many and their ids (in input order). */
export async function bulkCreateChanges(db: Db, actor: Principal, changes: AsyncIterable<BulkChange> | Iterable<BulkChange>, o: BulkOptions): Promise<{ count: number; ids: string[] }> {
  const client = await db.pool.connect();
  const now = db.clock.now();
  const ids: string[] = [];
  const kinds: Record<string, number> = {};
  try {
    await client.query('BEGIN');
    async function* lines(): AsyncGenerator<string> {
      let chunk = '';
      for await (const c of changes as AsyncIterable<BulkChange>) {
        const id = randomUUID();
        ids.push(id);
        kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
        const effective = c.effectiveDate ? c.effectiveDate.toISOString().slice(0, 10) : null;
        chunk += [id, c.personalId, c.kind, o.state, c.employingAgencyCode, c.category, c.status, c.managingAgencyCode, c.employingAgencyCode,
          effective, JSON.stringify(c.profile), c.contentSha256, c.baseVersion, o.reason ?? null, o.source ?? 'ENTRY', actor.subject,
          now, now, now, o.state === 'VERIFIED' ? now : null].map(copyField).join('\t') + '\n';
        if (chunk.length > 1 << 20) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY profile_change (${CHANGE_COLUMNS.join(', ')}) FROM STDIN`)));
    // Made against the person's current version, as createChange reads it.
    const { rows: drift } = await client.query<{ n: string }>(`
      SELECT count(*)::text AS n FROM profile_change c JOIN person p ON p.personal_id = c.personal_id
      WHERE c.id = ANY($1::uuid[]) AND c.base_version <> p.version`, [ids]);
    if (drift[0]!.n !== '0') throw new GatewayError('CONFLICT', { reason: 'BASE_VERSION', changes: Number(drift[0]!.n) });
    await client.query(`
      INSERT INTO change_event (change_id, from_state, to_state, actor, reason, at)
      SELECT id, NULL, 'SUBMITTED', $2, $3, $4 FROM unnest($1::uuid[]) AS id`, [ids, actor.subject, o.reason ?? null, now]);
    if (o.state === 'VERIFIED') {
      await client.query(`
        INSERT INTO change_event (change_id, from_state, to_state, actor, reason, at)
        SELECT id, 'SUBMITTED', 'VERIFIED', $2, NULL, $3 FROM unnest($1::uuid[]) AS id`, [ids, actor.subject, now]);
    }
    await appendAuditOnClient(client, { actor: actor.subject, role: actor.role, action: 'CHANGE_BULK_CREATE', entityType: 'change',
      agencyCode: actor.agencyCode, details: { count: ids.length, kinds, state: o.state, source: o.source ?? 'ENTRY', firstId: ids[0] ?? null, lastId: ids.at(-1) ?? null } }, now);
    await client.query('COMMIT');
    return { count: ids.length, ids };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'profile_change_one_open_per_person') throw new GatewayError('CHANGE_PENDING', { reason: 'BULK' });
    if (e.code === '23503') throw new GatewayError('PERSON_NOT_FOUND');
    throw err;
  } finally {
    client.release();
  }
}

export interface PersonForChange {
  personalId: string;
  category: PersonCategory;
  status: PersonStatus;
  managingAgencyCode: string;
  employingAgencyCode: string;
  profile: unknown;
  version: number;
}

/**
 * Persons without a change in progress, in personal-id order, a page at a time (memory stays flat):
 * what a bulk load reads to make one change per person. `limit` stops after that many.
 */
export async function* personsWithoutOpenChange(db: Db, o: { pageSize?: number; limit?: number; minVersion?: number } = {}): AsyncGenerator<PersonForChange> {
  const pageSize = o.pageSize ?? 1000;
  let after = '';
  let left = o.limit ?? Number.MAX_SAFE_INTEGER;
  while (left > 0) {
    const { rows } = await db.pool.query<PersonForChange>(`
      SELECT p.personal_id AS "personalId", p.category, p.status, p.managing_agency_code AS "managingAgencyCode",
        p.employing_agency_code AS "employingAgencyCode", p.profile, p.version
      FROM person p
      WHERE p.personal_id > $1 AND p.version >= $3 AND NOT EXISTS (
        SELECT 1 FROM profile_change c WHERE c.personal_id = p.personal_id AND c.state NOT IN ('SYNCED', 'REJECTED_BY_NATIONAL'))
      ORDER BY p.personal_id LIMIT $2`, [after, Math.min(pageSize, left), o.minVersion ?? 0]);
    if (rows.length === 0) return;
    for (const r of rows) yield r;
    left -= rows.length;
    after = rows[rows.length - 1]!.personalId;
  }
}
