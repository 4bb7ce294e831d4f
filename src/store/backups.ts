// Backups at the database level: pg_dump / pg_restore (custom format) and the facts a manifest records
// about the dumped snapshot — applied migrations, row counts per table, the audit head. The facts are read
// in the very snapshot pg_dump dumps (an exported REPEATABLE READ snapshot), so they describe the dump
// exactly even while the gateway keeps writing. Only this module runs the PostgreSQL client tools.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { GatewayError, type ErrorCode } from '../errors.ts';
import { dropDatabase, ensureDatabase } from './migrate.ts';
import type { Db } from './db.ts';
import type { BackupKind, DatabaseFacts } from '../domain/backup-manifest.ts';

export type { BackupKind, DatabaseFacts };

/** libpq does not know Prisma-style query parameters (`?schema=…`): drop them for the client tools. */
export function libpqUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.delete('schema');
  return url.toString();
}

export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

/** The client tool `name` from `binDir`, else PATH, else Debian's PostgreSQL 15 directory. */
export function pgTool(name: 'pg_dump' | 'pg_restore', binDir = ''): string {
  if (binDir) {
    if (existsSync(join(binDir, name))) return join(binDir, name);
    throw new GatewayError('BACKUP_TOOL_MISSING', { tool: name, dir: binDir });
  }
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) if (existsSync(join(dir, name))) return join(dir, name);
  const debian = `/usr/lib/postgresql/15/bin/${name}`;
  if (existsSync(debian)) return debian;
  throw new GatewayError('BACKUP_TOOL_MISSING', { tool: name });
}

/** `pg_dump (PostgreSQL) 15.20 (Debian …)`, recorded in the manifest. */
export function toolVersion(command: string): Promise<string> {
  return new Promise((resolve, reject) => execFile(command, ['--version'], (err, stdout) => {
    if (err) reject(new GatewayError('BACKUP_TOOL_MISSING', { tool: command, reason: err.message }));
    else resolve(stdout.trim());
  }));
}

/** A connected client, or `code` naming the database that could not be reached. */
async function connect(databaseUrl: string, code: ErrorCode): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    throw new GatewayError(code, { database: databaseName(databaseUrl), reason: (err as Error).message });
  }
}

async function readFacts(client: pg.ClientBase): Promise<DatabaseFacts> {
  const migrations = await client.query<{ exists: boolean }>("SELECT to_regclass('public._gateway_migrations') IS NOT NULL AS exists");
  const schemaVersion = migrations.rows[0]!.exists
    ? (await client.query<{ name: string }>('SELECT name FROM _gateway_migrations ORDER BY name')).rows.map((r) => r.name)
    : [];
  const tables = (await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map((r) => r.t);
  const rowCounts: Record<string, number> = {};
  if (tables.length) {
    const sql = tables.map((t, i) => `SELECT ${i} AS i, count(*)::bigint::text AS n FROM public."${t.replaceAll('"', '""')}"`).join(' UNION ALL ');
    for (const r of (await client.query<{ i: number; n: string }>(sql)).rows) rowCounts[tables[r.i]!] = Number(r.n);
  }
  const head = tables.includes('audit_log')
    ? (await client.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')).rows[0] ?? null
    : null;
  return { schemaVersion, rowCounts, auditHead: head ? { seq: head.seq, hash: head.hash } : null };
}

/** The facts of a live database (the drill reads them from the restored copy). */
export async function databaseFacts(databaseUrl: string): Promise<DatabaseFacts> {
  const client = await connect(databaseUrl, 'RESTORE_TARGET_UNREACHABLE');
  try {
    return await readFacts(client);
  } finally {
    await client.end();
  }
}

export interface ToolProgress {
  /** Tables in the dump or restore (known before it starts). */
  total: number;
  /** Called each time the tool starts the data of another table. */
  onTable?: (table: string) => void;
}

/** Runs a client tool; its --verbose lines drive progress; stderr is kept for the error. */
function runTool(command: string, args: string[], tableLine: RegExp, onTable?: (table: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let partial = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = tableLine.exec(line);
        if (m) onTable?.(m[1]!);
        else if (!/: (last built-in OID|reading|identifying|finding|flagging|saving|dumping|creating|processing|executing|connecting|implied|disabling|enabling|dropping|setting|launching)/.test(line)) stderr += `${line}\n`;
      }
    });
    child.once('error', (err) => reject(new GatewayError('BACKUP_TOOL_MISSING', { tool: command, reason: err.message })));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new GatewayError(command.endsWith('pg_restore') ? 'RESTORE_FAILED' : 'BACKUP_FAILED', { tool: command, exitCode: code, stderr: stderr.trim().split('\n').slice(-5).join(' | ') }));
    });
  });
}

/**
 * pg_dump in custom format to `file`, from one exported snapshot whose facts are returned: the manifest and
 * the dump agree row for row.
 */
export async function dumpDatabase(databaseUrl: string, file: string, options: { binDir?: string; onFacts?: (facts: DatabaseFacts) => void; onTable?: (table: string) => void } = {}): Promise<DatabaseFacts> {
  const command = pgTool('pg_dump', options.binDir);
  const client = await connect(databaseUrl, 'DATABASE_UNAVAILABLE');
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
    const facts = await readFacts(client);
    options.onFacts?.(facts);
    await runTool(command, ['--format=custom', '--verbose', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${libpqUrl(databaseUrl)}`],
      /dumping contents of table "?(?:[^".]+)"?\."?([^"]+)"?/, options.onTable);
    await client.query('COMMIT');
    return facts;
  } finally {
    await client.end();
  }
}

/** pg_restore of a custom-format dump into `databaseUrl` (an empty database). */
export async function restoreDump(file: string, databaseUrl: string, options: { binDir?: string; onTable?: (table: string) => void } = {}): Promise<void> {
  const command = pgTool('pg_restore', options.binDir);
  await runTool(command, ['--verbose', '--exit-on-error', '--no-owner', '--no-privileges',
    `--dbname=${libpqUrl(databaseUrl)}`, file], /processing data for table "?(?:[^".]+)"?\."?([^"]+)"?/, options.onTable);
}

/** Whether `databaseUrl` names an existing database with no table, view or sequence of its own. */
export async function databaseIsEmpty(databaseUrl: string): Promise<boolean> {
  const client = await connect(databaseUrl, 'RESTORE_TARGET_UNREACHABLE');
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND c.relkind IN ('r', 'v', 'm', 'S', 'p')`);
    return rows[0]!.n === '0';
  } finally {
    await client.end();
  }
}

/** Creates the restore target when it does not exist yet (an unreachable server or a bad name is the target's fault). */
export async function ensureRestoreTarget(databaseUrl: string): Promise<boolean> {
  try {
    return await ensureDatabase(databaseUrl);
  } catch (err) {
    throw new GatewayError('RESTORE_TARGET_UNREACHABLE', { database: databaseName(databaseUrl), reason: (err as Error).message });
  }
}

/** Drops the target database (closing its sessions) and creates it empty: `restore --force`. */
export async function recreateRestoreTarget(databaseUrl: string): Promise<void> {
  try {
    await dropDatabase(databaseUrl);
  } catch (err) {
    throw new GatewayError('RESTORE_TARGET_UNREACHABLE', { database: databaseName(databaseUrl), reason: (err as Error).message });
  }
  await ensureRestoreTarget(databaseUrl);
}

/** A new, empty database beside `serverUrl`'s for a restore drill; its name says what it is. */
export async function createScratchDatabase(serverUrl: string): Promise<string> {
  const url = new URL(serverUrl);
  url.pathname = `/csdl_gateway_drill_${randomBytes(5).toString('hex')}`;
  await ensureRestoreTarget(url.toString());
  return url.toString();
}

export async function dropScratchDatabase(databaseUrl: string): Promise<void> {
  if (!databaseName(databaseUrl).startsWith('csdl_gateway_drill_')) throw new Error(`refusing to drop ${databaseName(databaseUrl)}: not a drill database`);
  await dropDatabase(databaseUrl);
}

// ── the record of backups (metric, alert) ─────────────────────────────────

export interface BackupRunRecord {
  kind: BackupKind;
  startedAt: Date;
  finishedAt: Date;
  ok: boolean;
  file?: string | null;
  bytes?: number | null;
  sha256?: string | null;
  error?: string | null;
}

export async function recordBackupRun(db: Db, run: BackupRunRecord): Promise<void> {
  await db.prisma.backupRun.create({ data: {
    kind: run.kind, startedAt: run.startedAt, finishedAt: run.finishedAt, ok: run.ok, file: run.file ?? null,
    bytes: run.bytes === undefined || run.bytes === null ? null : BigInt(run.bytes), sha256: run.sha256 ?? null, error: run.error?.slice(0, 2000) ?? null,
  } });
}

/** When the last good backup of each kind finished (kinds never backed up are absent). */
export async function lastGoodBackups(db: Db): Promise<Partial<Record<BackupKind, Date>>> {
  const rows = await db.prisma.backupRun.groupBy({ by: ['kind'], where: { ok: true }, _max: { finishedAt: true } });
  const out: Partial<Record<BackupKind, Date>> = {};
  for (const r of rows) if (r._max.finishedAt) out[r.kind as BackupKind] = r._max.finishedAt;
  return out;
}
