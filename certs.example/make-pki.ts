// Makes the DEMO PKI of csdl-gateway (demo keys only, never for production: README.md beside this file).
//
//   npx tsx certs.example/make-pki.ts [outDir]        (default: certs.example/out/)
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeDemoPki } from '../src/pki/demo-pki.ts';

export * from '../src/pki/demo-pki.ts';

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const outDir = resolve(process.argv[2] ?? join(here, 'out'));
  const manifest = await makeDemoPki(outDir);
  process.stdout.write(`Demo PKI (DEMO KEYS, NOT FOR PRODUCTION) written to ${outDir}\n`);
  for (const entry of Object.values(manifest.files)) process.stdout.write(`  ${entry.file.padEnd(28)} ${entry.description}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`make-pki failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
