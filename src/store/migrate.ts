// Applies the SQL migrations in prisma/migrations/ in order, each once, each in its own transaction.
// Prisma's own `migrate` needs a native engine that cannot be fetched here, so the gateway owns this
// small runner. A checksum per migration refuses a database whose applied migration was edited later.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './pg-pool.ts';

export const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

interface Migration { name: string; sql: string; checksum: string }

function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Creates the database named in the URL if it does not exist (connects to the `postgres` database to do so). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to create a database named ${JSON.stringify(name)}`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await client.end();
  }
}

export async function migrate(databaseUrl: string, dir = migrationsDir): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS });
  await client.connect();
  const applied: string[] = [];
  try {
    // One migrator at a time, even with several replicas starting together.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['csdl-gateway:migrate']);
    await client.query(`CREATE TABLE IF NOT EXISTS _gateway_migrations (
      name text PRIMARY KEY, checksum char(64) NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map((await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM _gateway_migrations')).rows
      .map((r) => [r.name, r.checksum]));
    for (const m of readMigrations(dir)) {
      const previous = done.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO _gateway_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      applied.push(m.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['csdl-gateway:migrate']).catch(() => {});
    await client.end();
  }
  return applied;
}

function adminUrl(databaseUrl: string): { name: string; url: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  return { name, url: url.toString() };
}

async function onServer(databaseUrl: string, statements: (name: string) => string[]): Promise<void> {
  const { name, url } = adminUrl(databaseUrl);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements(name)) await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Drops and creates a scratch database (the demo's, the benchmark's). Refuses any database whose name
 * does not contain `marker`, so a mistyped DATABASE_URL can never wipe a real one.
 */
export async function recreateDatabase(databaseUrl: string, marker: string): Promise<void> {
  const { name } = adminUrl(databaseUrl);
  if (!name.includes(marker) || !/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to recreate "${name}": its name must contain "${marker}"`);
  await onServer(databaseUrl, (n) => [`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`, `CREATE DATABASE "${n}"`]);
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  await onServer(databaseUrl, (n) => [`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`]);
}

/** Whether the PostgreSQL server of this URL answers (its `postgres` database). */
export async function serverReachable(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl(databaseUrl).url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
