// Reads behind the reports: the headcount aggregate and a person's approved record with its approvals.
import type { Db } from './db.ts';
import type { BatchCandidate } from './batches.ts';

// ── annual headcount ───────────────────────────────────────────────────────

export type HeadcountDimension = 'TOTAL' | 'GRADE' | 'POSITION' | 'JOB_POSITION' | 'CATEGORY' | 'AGENCY';

/** One aggregate: `code`/`name` are null for "not recorded" (and for TOTAL). */
export interface HeadcountRow {
  dimension: HeadcountDimension;
  code: string | null;
  name: string | null;
  count: number;
}

/**
 * Persons at work (DANG_CONG_TAC) whose employing agency lies in `agencyRoot`'s subtree, counted in one
 * scan with GROUPING SETS: by ngạch (grade_code, with the most frequent TenNgach of the profiles), by
 * ChucVuHienTai, by Luong.ViTriViecLam, by category, by agency (with its name), and the total. Only
 * approved records count (version > 0): a new record still in review has no approved profile yet.
 *
 * Profiles are large, TOASTed jsonb: every `profile->…` would decompress the whole value again, so the
 * fields are read with ONE jsonb_to_record call per row (250,000 persons: ~3 s instead of ~10 s on the
 * project's machines; grade_code is a column already). Faster still would be stored columns for the
 * position and job position, kept up to date where grade_code is (store/approvals.ts).
 */
export async function headcountRows(db: Db, agencyRoot: string): Promise<HeadcountRow[]> {
  const { rows } = await db.pool.query<HeadcountRow>(`
    WITH p AS (
      SELECT grade_code, NULLIF(cv."Luong"->>'TenNgach', '') AS grade_name,
        NULLIF(cv."ChucVuHienTai", '') AS position, NULLIF(cv."Luong"->>'ViTriViecLam', '') AS job_position,
        category::text AS category, employing_agency_code AS agency
      FROM person CROSS JOIN LATERAL jsonb_to_record(profile) AS cv("ChucVuHienTai" text, "Luong" jsonb)
      WHERE status = 'DANG_CONG_TAC' AND version > 0
        AND (employing_agency_code = $1 OR employing_agency_code LIKE $1 || '.%')
    ), g AS (
      SELECT CASE WHEN GROUPING(grade_code) = 0 THEN 'GRADE' WHEN GROUPING(position) = 0 THEN 'POSITION'
          WHEN GROUPING(job_position) = 0 THEN 'JOB_POSITION' WHEN GROUPING(category) = 0 THEN 'CATEGORY'
          WHEN GROUPING(agency) = 0 THEN 'AGENCY' ELSE 'TOTAL' END AS dimension,
        grade_code, position, job_position, category, agency,
        mode() WITHIN GROUP (ORDER BY grade_name) AS grade_name, count(*)::int AS count
      FROM p
      GROUP BY GROUPING SETS ((grade_code), (position), (job_position), (category), (agency), ())
    )
    SELECT g.dimension,
      CASE g.dimension WHEN 'GRADE' THEN g.grade_code WHEN 'CATEGORY' THEN g.category WHEN 'AGENCY' THEN g.agency END AS code,
      CASE g.dimension WHEN 'GRADE' THEN g.grade_name WHEN 'POSITION' THEN g.position WHEN 'JOB_POSITION' THEN g.job_position
        WHEN 'AGENCY' THEN a.name END AS name,
      g.count
    FROM g LEFT JOIN agency a ON g.dimension = 'AGENCY' AND a.code = g.agency`, [agencyRoot]);
  return rows;
}

// ── a person's approved record, for the signed export ──────────────────────

/** States in which a change's content is the person's province-approved record. */
const APPROVED_STATES = ['PROVINCE_APPROVED', 'BATCHED', 'SYNCED', 'REJECTED_BY_NATIONAL'] as const;

/**
 * The change Sở Nội vụ approved as version `version` of the person's record, with every approval that
 * covers it (oldest first), in the shape the batch builder turns into a `HoSo`; null when no change
 * carries that version (a record loaded before the gateway kept approvals, e.g. the demo seed).
 */
export async function loadApprovedChange(db: Db, personalId: string, version: number): Promise<BatchCandidate | null> {
  const change = await db.prisma.profileChange.findFirst({
    where: { personalId, targetVersion: version, state: { in: [...APPROVED_STATES] } },
    orderBy: { provinceApprovedAt: 'desc' },
    include: {
      approvals: {
        orderBy: { approval: { createdAt: 'asc' } },
        include: { approval: { select: { level: true, agencyCode: true, signingTime: true, signerSerial: true, manifestSha256: true } } },
      },
    },
  });
  if (!change || change.targetVersion === null) return null;
  return {
    id: change.id, personalId: change.personalId, kind: change.kind, category: change.category, status: change.status,
    managingAgencyCode: change.managingAgencyCode, employingAgencyCode: change.employingAgencyCode, effectiveDate: change.effectiveDate,
    profile: change.profile, contentSha256: change.contentSha256, targetVersion: change.targetVersion,
    approvals: change.approvals.map((i) => ({ ...i.approval, contentSha256: i.contentSha256 })),
  };
}

// ── the annual headcount as the Ministry reads it ──────────────────────────

/** One group of persons at work sharing every column of the annual report. */
export interface AnnualHeadcountGroup {
  agencyCode: string;
  agencyName: string | null;
  category: string;
  gradeCode: string | null;
  gradeName: string | null;
  jobPosition: string | null;
  gender: string;
  /** Index into the age bands: how many of `ageBandMaxima` the age exceeds. */
  ageBand: number;
  /** Education level code, or null when no prefix matched. */
  education: string | null;
  ethnicity: 'KINH' | 'THIEU_SO' | 'CHUA_CO';
  count: number;
}

export interface AnnualHeadcountParams {
  /** Local date on which ages are counted. */
  asOf: string;
  ageBandMaxima: readonly number[];
  /** Education prefixes in order of precedence, with their level. */
  educationPrefixes: ReadonlyArray<{ prefix: string; level: string }>;
  majorityEthnicity: string;
}

/**
 * Persons at work (DANG_CONG_TAC, approved: version > 0) of `agencyRoot`'s subtree, grouped by every
 * column of the annual report in one scan. The classification tables come from the domain
 * (domain/headcount-bands.ts) as parameters, so the rules are written once.
 */
export async function annualHeadcountGroups(db: Db, agencyRoot: string, p: AnnualHeadcountParams): Promise<AnnualHeadcountGroup[]> {
  const { rows } = await db.pool.query<AnnualHeadcountGroup>(`
    WITH p AS (
      SELECT employing_agency_code AS agency, category::text AS category, grade_code,
        NULLIF(cv."Luong"->>'TenNgach', '') AS grade_name, NULLIF(cv."Luong"->>'ViTriViecLam', '') AS job_position,
        cv."GioiTinh" AS gender,
        (SELECT count(*) FROM unnest($2::int[]) AS m(max) WHERE date_part('year', age($3::date, cv."NgaySinh"::date)) > m.max)::int AS age_band,
        (SELECT e.level FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS e(prefix, level, n)
          WHERE starts_with(cv."TrinhDoChuyenMon", e.prefix) ORDER BY e.n LIMIT 1) AS education,
        CASE WHEN coalesce(btrim(cv."DanToc"), '') = '' THEN 'CHUA_CO'
          WHEN lower(btrim(cv."DanToc")) = lower($6) THEN 'KINH' ELSE 'THIEU_SO' END AS ethnicity
      FROM person CROSS JOIN LATERAL jsonb_to_record(profile)
        AS cv("Luong" jsonb, "GioiTinh" text, "NgaySinh" text, "TrinhDoChuyenMon" text, "DanToc" text)
      WHERE status = 'DANG_CONG_TAC' AND version > 0
        AND (employing_agency_code = $1 OR employing_agency_code LIKE $1 || '.%')
    )
    SELECT p.agency AS "agencyCode", a.name AS "agencyName", p.category, p.grade_code AS "gradeCode",
      mode() WITHIN GROUP (ORDER BY p.grade_name) AS "gradeName", p.job_position AS "jobPosition", p.gender,
      p.age_band AS "ageBand", p.education, p.ethnicity, count(*)::int AS count
    FROM p LEFT JOIN agency a ON a.code = p.agency
    GROUP BY p.agency, a.name, p.category, p.grade_code, p.job_position, p.gender, p.age_band, p.education, p.ethnicity`,
  [agencyRoot, [...p.ageBandMaxima], p.asOf, p.educationPrefixes.map((e) => e.prefix), p.educationPrefixes.map((e) => e.level), p.majorityEthnicity]);
  return rows;
}
