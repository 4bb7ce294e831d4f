// `csdl-gateway report deadlines|headcount`: the reports of the API, from the command line, for the
// whole province or one agency's subtree, as JSON or as CSV (UTF-8 with BOM, for Excel) on stdout.
//   exit 0: printed; exit 2: a bad agency code or date, or an unknown agency (commander itself exits 1 on an
//   unknown option or --format).
// The command is declared here so that cli.ts needs one line; the database and the report code are only
// loaded when it runs.
import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import { systemClock } from '../clock.ts';
import type { Db } from '../store/db.ts';

export type ReportName = 'deadlines' | 'headcount';

export interface ReportOptions {
  agency?: string;
  asOf?: string;
  year?: string;
  format: 'json' | 'csv' | 'xlsx';
}

const USAGE = 2;

/** Prints the report through `write`; returns the exit code. */
export async function runReport(config: Config, name: ReportName, opts: ReportOptions,
  write: (data: string | Uint8Array) => void = (data) => process.stdout.write(data), warn: (text: string) => void = (text) => process.stderr.write(text)): Promise<number> {
  const { canonicalAgencyCode } = await import('../domain/agency-code.ts');
  const { isDate } = await import('../domain/calendar-date.ts');
  const { openDb } = await import('../store/db.ts');
  const { getAgency } = await import('../store/agencies.ts');
  let agencyCode: string;
  try {
    agencyCode = canonicalAgencyCode(opts.agency ?? config.provinceCode);
    if (opts.asOf !== undefined && !isDate(opts.asOf)) throw new GatewayError('VALIDATION_FAILED', { option: '--as-of', value: opts.asOf, reason: 'expected YYYY-MM-DD' });
    if (opts.year !== undefined && !/^(20\d\d|2100)$/.test(opts.year)) throw new GatewayError('VALIDATION_FAILED', { option: '--year', value: opts.year, reason: 'expected a year 2000–2100' });
  } catch (err) {
    return usage(err, warn);
  }
  const db = openDb(config.databaseUrl, { poolSize: 2 });
  try {
    if (opts.agency !== undefined && !(await getAgency(db, agencyCode))) return usage(new GatewayError('AGENCY_NOT_FOUND', { code: agencyCode }), warn);
    write(name === 'deadlines' ? await deadlines(db, config, agencyCode, opts) : await headcount(db, config, agencyCode, opts));
    return 0;
  } finally {
    await db.close();
  }
}

async function deadlines(db: Db, config: Config, agencyCode: string, opts: ReportOptions): Promise<string | Uint8Array> {
  const { deadlinePolicyOf } = await import('../reports/deadline-rules.ts');
  const { deadlineCsv, deadlineWorkbook } = await import('../reports/deadline-report.ts');
  const { deadlineReport, overdueItems } = await import('../reports/report-runner.ts');
  const { localDate } = await import('../domain/working-days.ts');
  const { getAgency } = await import('../store/agencies.ts');
  const policy = deadlinePolicyOf(config);
  const asOf = opts.asOf ?? localDate(systemClock.now());
  if (opts.format === 'csv') return deadlineCsv(await overdueItems(db, policy, agencyCode, asOf));
  if (opts.format === 'xlsx') {
    const items = await overdueItems(db, policy, agencyCode, asOf);
    return deadlineWorkbook(items, { asOf, agencyCode, agencyName: (await getAgency(db, agencyCode))?.name ?? null, created: systemClock.now() });
  }
  return `${JSON.stringify(await deadlineReport(db, policy, { agencyCode, asOf }), null, 2)}\n`;
}

async function headcount(db: Db, config: Config, agencyCode: string, opts: ReportOptions): Promise<string | Uint8Array> {
  if (opts.format === 'xlsx') {
    const { annualHeadcountReport } = await import('../reports/annual-headcount.ts');
    const { localDate } = await import('../domain/working-days.ts');
    const asOf = opts.asOf ?? localDate(systemClock.now());
    return (await annualHeadcountReport(db, { provinceCode: config.provinceCode, agencyCode, asOf, year: opts.year === undefined ? undefined : Number(opts.year), created: systemClock.now() })).workbook;
  }
  const { headcountReport } = await import('../reports/report-runner.ts');
  const { headcountCsv } = await import('../reports/headcount-report.ts');
  const report = await headcountReport(db, agencyCode);
  return opts.format === 'csv' ? headcountCsv(report) : `${JSON.stringify(report, null, 2)}\n`;
}

function usage(err: unknown, warn: (text: string) => void): number {
  if (!isGatewayError(err)) throw err;
  warn(`${err.code}: ${err.message} ${JSON.stringify(err.details ?? null)}\n`);
  return USAGE;
}

/** `report` with its two subcommands, for `program.addCommand`. */
export function reportCommand(): Command {
  const report = new Command('report').description('báo cáo: việc quá hạn (tính theo ngày làm việc), số lượng CBCCVC hằng năm');
  const format = () => new Option('--format <format>', 'json, csv (UTF-8 có BOM, mở được bằng Excel) hoặc xlsx (bảng tính, ra stdout: chuyển hướng vào tệp)').choices(['json', 'csv', 'xlsx']).default('json');
  const run = async (name: ReportName, opts: ReportOptions) => {
    process.exitCode = await runReport(loadConfig(), name, opts);
  };
  report.command('deadlines').description('đề nghị quá hạn theo từng cơ quan, đơn vị (biến DEADLINE_*, HOLIDAYS)')
    .option('--agency <code>', 'cơ quan gốc của phạm vi (mặc định: cả tỉnh)')
    .option('--as-of <date>', 'ngày báo cáo YYYY-MM-DD (mặc định: hôm nay, giờ Việt Nam)')
    .addOption(format())
    .action((opts: ReportOptions) => run('deadlines', opts));
  report.command('headcount').description('số người đang làm việc theo ngạch, chức vụ, vị trí việc làm, phân loại và cơ quan; xlsx: báo cáo hằng năm gửi Bộ Nội vụ')
    .option('--agency <code>', 'cơ quan gốc của phạm vi (mặc định: cả tỉnh)')
    .option('--year <year>', 'xlsx: năm báo cáo (mặc định: năm của --as-of)')
    .option('--as-of <date>', 'xlsx: ngày tính tuổi, YYYY-MM-DD (mặc định: hôm nay, giờ Việt Nam)')
    .addOption(format())
    .action((opts: ReportOptions) => run('headcount', opts));
  return report;
}
