// Prints the README's configuration table from src/config.ts (npx tsx scripts/config-table.ts).
import { describeSettings } from '../src/config.ts';

console.log('| variable | default | meaning |\n|---|---|---|');
for (const s of describeSettings()) console.log(`| \`${s.env}\` | ${s.default === '' ? '' : `\`${s.default}\``} | ${s.description.replaceAll('|', '\\|')} |`);
