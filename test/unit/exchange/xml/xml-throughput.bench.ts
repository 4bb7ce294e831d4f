// Throughput of the XML layer on 10,000 deep records (not a test: run with
//   npx tsx test/unit/exchange/xml/xml-throughput.bench.ts      (RUNS=5 by default)
// It also builds the same records with fast-xml-parser's XMLBuilder, to back the choice of string building.
import { XMLBuilder } from 'fast-xml-parser';
import { deepRecord, header, TODAY } from './fixtures.ts';
import { buildBatchDocument, parseBatchDocument, writeBatchDocument } from '../../../../src/exchange/xml/batch-document.ts';
import { recordElementXml } from '../../../../src/exchange/xml/record-writer.ts';
import { RECORD_LAYOUT, type GroupSpec, type FieldSpec } from '../../../../src/exchange/xml/record-layout.ts';
import { parseSafeXml } from '../../../../src/exchange/xml/safe-parse.ts';
import { formatDecimal } from '../../../../src/domain/decimal-text.ts';
import { invalidXmlCharIndex } from '../../../../src/exchange/xml/xml-text.ts';

const N = 10_000;
const entries = Array.from({ length: N }, (_, i) => ({ thaoTac: 'CAP_NHAT' as const, phienBan: 1 + (i % 7), hoSo: deepRecord(i) }));
const h = header(N);
const time = (label: string, runs: number, fn: () => number) => {
  fn(); // warm-up
  const ms: number[] = [];
  let bytes = 0;
  for (let r = 0; r < runs; r++) { const t = performance.now(); bytes = fn(); ms.push(performance.now() - t); }
  ms.sort((a, b) => a - b);
  const med = ms[Math.floor(ms.length / 2)]!;
  console.log(`${label.padEnd(46)} median ${med.toFixed(0).padStart(5)} ms  [${ms[0]!.toFixed(0)}–${ms[ms.length - 1]!.toFixed(0)}]  ${(bytes / 1e6 / (med / 1000)).toFixed(1).padStart(6)} MB/s  ${Math.round(N / (med / 1000)).toLocaleString('en').padStart(8)} rec/s  (${(bytes / 1e6).toFixed(1)} MB)`);
};

// XMLBuilder variant: same element order, values pre-formatted, chars checked as our writer does.
function toBuilderShape(spec: GroupSpec, v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of spec.children as FieldSpec[]) {
    const x = v[c.name];
    if (x === undefined || x === null) continue;
    if (c.kind === 'group') out[c.name] = toBuilderShape(c, x as Record<string, unknown>);
    else if (c.kind === 'list') out[c.name] = { [c.item.name]: (x as Record<string, unknown>[]).map((it) => toBuilderShape(c.item, it)) };
    else if (c.type === 'decimal') out[c.name] = formatDecimal(x as number, c.name);
    else if (c.type === 'text') { if (invalidXmlCharIndex(x as string) >= 0) throw new Error('char'); out[c.name] = (x as string).normalize('NFC'); }
    else out[c.name] = String(x);
  }
  return out;
}
const builder = new XMLBuilder({ format: false, ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });
function buildWithXmlBuilder(): Buffer {
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n<GoiTinDongBo>…'];
  for (const e of entries) parts.push(builder.build({ HoSo: { '@_thaoTac': e.thaoTac, '@_phienBan': String(e.phienBan), ...toBuilderShape(RECORD_LAYOUT, e.hoSo as unknown as Record<string, unknown>) } }));
  return Buffer.from(parts.join(''), 'utf8');
}

// sanity: XMLBuilder record output equals ours (apart from escaping CR, which the fixtures lack)
const a = builder.build({ HoSo: { '@_thaoTac': 'CAP_NHAT', '@_phienBan': '1', ...toBuilderShape(RECORD_LAYOUT, entries[0]!.hoSo as never) } });
console.log('XMLBuilder output identical to string builder:', a === recordElementXml(entries[0]!.hoSo, ' thaoTac="CAP_NHAT" phienBan="1"'));

const runs = Number(process.env.RUNS ?? 5);
time('build: string builder (buildBatchDocument)', runs, () => buildBatchDocument(h, entries).length);
time('build: XMLBuilder per record', runs, () => buildWithXmlBuilder().length);
let doc = buildBatchDocument(h, entries);
for (let r = 0; r < runs; r++) {
  let streamBytes = 0;
  const t0 = performance.now();
  let chunks = 0, maxChunk = 0;
  for await (const c of writeBatchDocument(h, entries)) { streamBytes += c.length; chunks++; maxChunk = Math.max(maxChunk, c.length); }
  const ms = performance.now() - t0;
  console.log(`stream writer: ${ms.toFixed(0)} ms, ${(streamBytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s, ${Math.round(N / (ms / 1000))} rec/s, ${chunks} chunks, max ${maxChunk} B, total ${streamBytes} B`);
}
time('parse: safe-parse only (scan+validate+parse)', runs, () => { parseSafeXml(doc, { maxBytes: 64 << 20 }, 'GoiTinDongBo', ['phienBan']); return doc.length; });
time('parse: parseBatchDocument (full, validated)', runs, () => { const p = parseBatchDocument(doc, { maxBytes: 64 << 20, today: TODAY }); if (p.records.some((r) => r.issues.length)) throw new Error('issues'); return doc.length; });
