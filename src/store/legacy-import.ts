// The write side of a legacy import: new records (a person at version 0 and its THEM_MOI change, exactly
// as createPersonWithChange writes them) a batch at a time. A batch is one transaction holding, for each
// row, the person, the change, its lifecycle event, and one audit row for the batch: a crash loses at most
// the batch in flight, never half a record. Persons already in the database are left alone (ON CONFLICT DO
// NOTHING), so running the same file again changes nothing and a run cut off resumes where it stopped.
import type { Db } from './db.ts';
import { appendAuditOnClient } from './audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import type { PersonCategory, PersonStatus } from '../generated/prisma/client.ts';

export interface ImportedRecord {
  personalId: string;
  category: PersonCategory;
  status: PersonStatus;
  managingAgencyCode: string;
  employingAgencyCode: string;
  effectiveDate: string | null;
  /** The normalised, validated CV. */
  profile: unknown;
  contentSha256: string;
  fullName: string;
  /** Source row number, for the audit trail. */
  row: number;
}

/** Which of these personal ids already have a record. */
export async function existingPersonalIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.pool.query<{ id: string }>('SELECT personal_id AS id FROM person WHERE personal_id = ANY($1::char(12)[])', [ids]);
  return new Set(rows.map((r) => r.id));
}

/** Writes the records that are not in the database yet; returns the personal ids written. */
export async function insertNewRecords(db: Db, actor: Principal, records: readonly ImportedRecord[], o: {
  state: 'SUBMITTED'; source: string; file: { name: string; sha256: string }; now: Date;
}): Promise<string[]> {
  if (records.length === 0) return [];
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const input = JSON.stringify(records.map((r) => ({
      personal_id: r.personalId, category: r.category, status: r.status, managing: r.managingAgencyCode, employing: r.employingAgencyCode,
      effective: r.effectiveDate, profile: r.profile, sha: r.contentSha256, full_name: r.fullName,
    })));
    const { rows } = await client.query<{ id: string; personal_id: string }>(`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(personal_id text, category text, status text, managing text, employing text,
          effective date, profile jsonb, sha text, full_name text)
      ), person_rows AS (
        INSERT INTO person (personal_id, category, status, managing_agency_code, employing_agency_code, profile, version, full_name, created_at, updated_at)
        SELECT personal_id, category::"PersonCategory", status::"PersonStatus", managing, employing, profile, 0, full_name, $2, $2 FROM input
        ON CONFLICT (personal_id) DO NOTHING
        RETURNING personal_id
      )
      INSERT INTO profile_change (id, personal_id, kind, state, agency_code, category, status, managing_agency_code, employing_agency_code,
        effective_date, profile, content_sha256, base_version, source, created_by, created_at, updated_at, submitted_at)
      SELECT gen_random_uuid(), i.personal_id, 'THEM_MOI', $3::"ChangeState", i.employing, i.category::"PersonCategory", i.status::"PersonStatus",
        i.managing, i.employing, i.effective, i.profile, i.sha, 0, $4, $5, $2, $2, $2
      FROM input i JOIN person_rows USING (personal_id)
      RETURNING id, personal_id`, [input, o.now, o.state, o.source, actor.subject]);
    if (rows.length > 0) {
      await client.query(`
        INSERT INTO change_event (change_id, from_state, to_state, actor, reason, at)
        SELECT id, NULL, $2::"ChangeState", $3, NULL, $4 FROM unnest($1::uuid[]) AS id`, [rows.map((r) => r.id), o.state, actor.subject, o.now]);
      const written = new Set(rows.map((r) => r.personal_id));
      const sourceRows = records.filter((r) => written.has(r.personalId)).map((r) => r.row);
      await appendAuditOnClient(client, {
        actor: actor.subject, role: actor.role, action: 'PERSON_IMPORT', entityType: 'import', entityId: o.file.sha256, agencyCode: actor.agencyCode,
        details: { file: o.file.name, count: rows.length, state: o.state, firstRow: sourceRows[0] ?? null, lastRow: sourceRows.at(-1) ?? null },
      }, o.now);
    }
    await client.query('COMMIT');
    return rows.map((r) => r.personal_id);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Codes of the open agencies under `root` (listSubtree's rows, codes only). Through the pg pool: an import
 * process then never loads Prisma's query compiler, about a third of its memory.
 */
export async function activeAgencyCodes(db: Db, root: string): Promise<Set<string>> {
  const { rows } = await db.pool.query<{ code: string }>(`SELECT code FROM agency WHERE (code = $1 OR code LIKE $2) AND active_to IS NULL`, [root, `${root}.%`]);
  return new Set(rows.map((r) => r.code));
}
