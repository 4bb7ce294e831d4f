// `csdl-gateway import FILE.xlsx|FILE.csv [--mapping mapping.json] [--dry-run] [--report out.xlsx]`: loads a
// province's legacy spreadsheet as new records awaiting verification (services/legacy-import.ts). The
// report workbook (default: next to the file, "<name>.ket-qua.xlsx") lists every row with its errors.
// Exit 0: the file was read (refused rows are in the report); 2: the file or the mapping was refused.
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import { systemClock } from '../clock.ts';
import type { Principal } from '../auth/principal.ts';

export interface ImportCommandOptions {
  mapping?: string;
  dryRun?: boolean;
  report?: string;
  batchSize?: string;
}

const REFUSED = 2;

/** The default report path: the file's own name with ".ket-qua.xlsx". */
export function defaultReportPath(file: string): string {
  return `${file.replace(/\.(xlsx|csv)$/i, '')}.ket-qua.xlsx`;
}

export async function runImport(config: Config, file: string, opts: ImportCommandOptions,
  write: (text: string) => void = (t) => process.stdout.write(t), warn: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  const { checkMapping } = await import('../domain/legacy-mapping.ts');
  const { importLegacyFile } = await import('../services/legacy-import.ts');
  const { localDate } = await import('../domain/working-days.ts');
  const { openDb } = await import('../store/db.ts');
  // The command line is Sở Nội vụ's own tool: it acts for the province, under a name the audit log shows.
  const actor: Principal = { subject: 'cli:import', role: 'PROVINCE_OPERATOR', agencyCode: config.provinceCode };
  const db = openDb(config.databaseUrl, { poolSize: 2 });
  try {
    let mapping;
    if (opts.mapping !== undefined) {
      let text: string;
      try {
        text = await readFile(opts.mapping, 'utf8');
      } catch (err) {
        throw new GatewayError('IMPORT_MAPPING_INVALID', { reason: 'UNREADABLE', file: opts.mapping }, { cause: err });
      }
      try {
        mapping = checkMapping(JSON.parse(text));
      } catch (err) {
        if (isGatewayError(err)) throw err;
        throw new GatewayError('IMPORT_MAPPING_INVALID', { reason: 'NOT_JSON', file: opts.mapping }, { cause: err });
      }
    }
    const batchSize = opts.batchSize === undefined ? undefined : Number(opts.batchSize);
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) {
      throw new GatewayError('VALIDATION_FAILED', { option: '--batch-size', value: opts.batchSize, reason: 'expected 1–10000' });
    }
    const reportPath = opts.report ?? defaultReportPath(file);
    const summary = await importLegacyFile(db, {
      path: file, mapping, dryRun: opts.dryRun === true, actor, provinceCode: config.provinceCode,
      today: localDate(systemClock.now()), now: systemClock.now, reportPath, batchSize,
    });
    write(`${JSON.stringify({ ...summary, report: reportPath }, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    warn(`${err.code}: ${err.message} ${JSON.stringify(err.details ?? null)}\n`);
    return REFUSED;
  } finally {
    await db.close();
  }
}

export function importCommand(): Command {
  return new Command('import').description('load a legacy spreadsheet (XLSX or CSV) as new records awaiting verification; a report workbook lists each row')
    .argument('<file>', 'the .xlsx or .csv file')
    .option('--mapping <file>', 'column mapping JSON (default: the documented default mapping, see README)')
    .option('--dry-run', 'check every row and write the report, change nothing')
    .option('--report <file>', 'where the report workbook goes (default: <file>.ket-qua.xlsx)')
    .option('--batch-size <n>', 'rows per transaction (default 500)')
    .action(async (file: string, opts: ImportCommandOptions) => {
      process.exitCode = await runImport(loadConfig(), file, opts);
    });
}
