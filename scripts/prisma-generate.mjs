// Runs `prisma generate` offline. Prisma's CLI first tries to download its native schema engine,
// which cannot be fetched here; generate does not need it, so we point it at an inert file.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const fake = resolve('node_modules/.cache/prisma-no-engine');
if (!existsSync(fake)) {
  execFileSync('mkdir', ['-p', resolve('node_modules/.cache')]);
  writeFileSync(fake, '#!/bin/sh\nexit 1\n');
  chmodSync(fake, 0o755);
}
execFileSync(process.execPath, [resolve('node_modules/prisma/build/index.js'), 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: fake, PRISMA_HIDE_UPDATE_MESSAGE: '1', DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://localhost/unused' },
});
