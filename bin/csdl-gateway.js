#!/usr/bin/env node
// The command line. `npm install` builds dist/ (the prepare script).
import('../dist/cli.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err?.code === 'ERR_MODULE_NOT_FOUND' ? 'csdl-gateway is not built: run `npm install` (or `npm run build`).' : err);
  process.exitCode = 1;
});
