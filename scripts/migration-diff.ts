// Writes the SQL that takes the database from the committed migrations to prisma/schema.prisma,
// using Prisma's wasm schema engine (the native one cannot be downloaded here).
// Usage: DATABASE_URL=postgresql://... npm run migration:diff -- <name>
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: migration:diff <snake_case_name>');
const connectionString = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

// WebAssembly is a Node global; the ES2023 lib we compile against does not declare it.
const wasm = (globalThis as unknown as { WebAssembly: any }).WebAssembly;
const req = createRequire(import.meta.url);
const dir = dirname(req.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
const bg: any = await import('@prisma/schema-engine-wasm/schema_engine_bg');
const mod = new wasm.Module(readFileSync(join(dir, 'schema_engine_bg.wasm')));
const imports = [...new Set(wasm.Module.imports(mod).map((i: { module: string }) => i.module))];
const inst = new wasm.Instance(mod, Object.fromEntries(imports.map((m) => [m, bg])));
bg.__wbg_set_wasm(inst.exports);
(inst.exports as any).__wbindgen_start?.();

const schemaPath = 'prisma/schema.prisma';
const content = readFileSync(schemaPath, 'utf8');
const engine = await bg.SchemaEngine.new(
  { datamodels: [[schemaPath, content]] },
  () => {},
  bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString })),
);
const migrationsDir = 'prisma/migrations';
const existing = readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const from = existing.length === 0
  ? { tag: 'empty' }
  : {
      tag: 'migrations',
      lockfile: { path: join(migrationsDir, 'migration_lock.toml'), content: 'provider = "postgresql"\n' },
      migrationDirectories: existing.map((d) => ({
        path: join(migrationsDir, d),
        migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(join(migrationsDir, d, 'migration.sql'), 'utf8') } },
      })),
      shadowDbInitScript: '',
    };
const { stdout } = await engine.diff({
  from,
  to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content }] },
  script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] },
});
const seq = String(existing.length + 1).padStart(4, '0');
const out = join(migrationsDir, `${seq}_${name}`);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'migration.sql'), stdout);
console.log(`wrote ${out}/migration.sql (${stdout.length} bytes)`);
process.exit(0);
