// `csdl-gateway seed`: a demo province — its agency tree and `count` persons with complete, valid,
// varied profiles, already approved (version 1). Persons are loaded with COPY so that the benchmarks'
// hundreds of thousands of records take seconds, not minutes.
import type { Config } from '../config.ts';
import { openDb, type Db } from '../store/db.ts';
import { copyRows, type CopyValue } from '../store/bulk-copy.ts';
import { upsertAgencies } from '../store/agencies.ts';
import { demoAgencies } from '../seed/demo-agencies.ts';
import { validateAgencyList } from '../domain/agency-list.ts';
import { localDate } from '../domain/working-days.ts';
import { createRng, generateProfile } from '../seed/demo-profiles.ts';
import { systemPrincipal } from '../auth/principal.ts';
import type { PhanLoai } from '../domain/profile-enums.ts';
import { progressBar } from '../cli/output.ts';
import { viNumber } from '../domain/vi-format.ts';

export interface SeedOptions {
  count: number;
  seed: number;
  synced?: boolean;
  /** The day the profiles are made as of (YYYY-MM-DD; default: today on the database's clock). Tests pin it. */
  today?: string;
  /** Every 1,000 persons generated (a progress bar). */
  onPersons?: (done: number) => void;
}

/** Where people work: mostly schools and hospitals (viên chức), then departments and communes. */
function employers(codes: string[]): string[] {
  return codes.filter((c) => c.split('.').length >= 2);
}

function categoryFor(code: string, r: number): PhanLoai {
  const dept = code.split('.')[1] ?? '';
  const isUnit = code.split('.').length >= 3;
  if (isUnit && (dept === '05' || dept === '06' || Number(dept) >= 50)) return r < 0.9 ? 'VIEN_CHUC' : 'NGUOI_LAO_DONG';
  if (Number(dept) >= 50) return r < 0.3 ? 'CAN_BO' : r < 0.95 ? 'CONG_CHUC' : 'NGUOI_LAO_DONG';
  return r < 0.85 ? 'CONG_CHUC' : r < 0.9 ? 'CAN_BO' : 'NGUOI_LAO_DONG';
}

export async function seedProvince(db: Db, provinceCode: string, options: SeedOptions): Promise<{ agencies: number; persons: number }> {
  const today = options.today ?? localDate(db.clock.now());
  const agencies = validateAgencyList(demoAgencies(provinceCode), { provinceCode, knownCodes: new Set(), today: '2025-07-01' });
  await upsertAgencies(db, systemPrincipal(provinceCode), agencies);
  const places = employers(agencies.map((a) => a.code));
  const rng = createRng(options.seed);
  const seen = new Set<string>();
  const version = 1;
  const synced = options.synced === false ? 0 : version;
  function* rows(): Generator<CopyValue[]> {
    const now = db.clock.now();
    for (let serial = 0; seen.size < options.count; serial++) {
      const agencyCode = rng.pick(places);
      const person = generateProfile(rng, { agencyCode, category: categoryFor(agencyCode, rng.next()), today, serial });
      if (seen.has(person.personalId)) continue; // a random id can repeat; one record per person
      seen.add(person.personalId);
      if (seen.size % 1000 === 0) options.onPersons?.(1000);
      yield [person.personalId, person.category, person.status, agencyCode, agencyCode, person.SoYeuLyLich, version, synced,
        person.SoYeuLyLich.HoTen, person.SoYeuLyLich.Luong?.MaNgach ?? null, now, now];
    }
  }
  const persons = await copyRows(db.pool, 'person', ['personal_id', 'category', 'status', 'managing_agency_code', 'employing_agency_code',
    'profile', 'version', 'synced_version', 'full_name', 'grade_code', 'created_at', 'updated_at'], rows());
  return { agencies: agencies.length, persons };
}

export async function seedDemoProvince(config: Config, options: SeedOptions): Promise<void> {
  const db = openDb(config.databaseUrl);
  try {
    const existing = await db.prisma.person.count();
    if (existing > 0) {
      console.log(`Cơ sở dữ liệu đã có ${viNumber(existing)} hồ sơ: bỏ qua việc sinh dữ liệu (hãy dùng một cơ sở dữ liệu mới)`);
      return;
    }
    const started = performance.now();
    const bar = progressBar('Sinh dữ liệu', 'hồ sơ');
    bar.setTotal(options.count);
    const result = await seedProvince(db, config.provinceCode, { ...options, onPersons: (n) => bar.advance(n) });
    bar.stop();
    console.log(`Đã sinh ${viNumber(result.agencies)} cơ quan, đơn vị và ${viNumber(result.persons)} hồ sơ của tỉnh ${config.provinceCode} trong ${((performance.now() - started) / 1000).toFixed(1).replace('.', ',')} giây`);
  } finally {
    await db.close();
  }
}
