// The reference pipeline (a child process of `csdl-gateway bench`): the least work that puts the same
// bytes on the wire. It reads the same change rows (with their approvals) from PostgreSQL a page at a
// time, writes the batch XML by plain string building, hashes it, wraps it in the §4 JSON envelope
// (base64) and POSTs it to a sink on loopback that drains the body. No signing, no storing, no queue,
// no per-record checks. First it proves the bytes are the same: the records of the gateway's first batch
// written here must equal, byte for byte, the records inside that batch's stored payload.
//
// Environment: DATABASE_URL, SINK_URL, REF_KIND (the change kind to read), REF_SINCE (only changes created
// since this ISO time; default all), REF_PAGE (records per batch), SENDER_CODE. Answers the parent's IPC message `run` with its figures.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Pool } from 'undici';
import { referenceBatchXml, referenceRecordXml, type ReferenceRow } from './reference-xml.ts';
import { formatDateTime } from '../exchange/xml/xml-text.ts';
import { systemClock } from '../clock.ts';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 2 });
const sinkUrl = new URL(env('SINK_URL'));
if (sinkUrl.hostname !== '127.0.0.1') throw new Error('the sink must be on 127.0.0.1');
const http = new Pool(sinkUrl.origin, { connections: 4 });
const kind = env('REF_KIND');
const since = process.env.REF_SINCE ?? new Date(0).toISOString();
const pageSize = Number(process.env.REF_PAGE ?? 1000);
const senderCode = env('SENDER_CODE');

const COLUMNS = `c.id, c.personal_id AS "personalId", c.kind, c.category, c.status, c.managing_agency_code AS "managingAgencyCode",
  c.employing_agency_code AS "employingAgencyCode", c.effective_date AS "effectiveDate", c.profile, c.target_version AS "targetVersion",
  (SELECT json_agg(json_build_object('level', a.level, 'agencyCode', a.agency_code, 'signingTime', a.signing_time,
      'signerSerial', a.signer_serial, 'manifestSha256', a.manifest_sha256) ORDER BY a.created_at)
    FROM approval_item i JOIN approval a ON a.id = i.approval_id WHERE i.change_id = c.id) AS approvals`;

async function page(after: string | null): Promise<ReferenceRow[]> {
  const { rows } = await pool.query<ReferenceRow>(`SELECT ${COLUMNS} FROM profile_change c
    WHERE c.kind = $1 AND c.created_at >= $4 AND ($2::uuid IS NULL OR c.id > $2::uuid) ORDER BY c.id LIMIT $3`, [kind, after, pageSize, since]);
  return rows;
}

/** The records of the gateway's first batch of this kind, written here, against its stored payload. */
async function sameBytes(): Promise<{ batchId: string; same: boolean } | null> {
  const { rows: [batch] } = await pool.query<{ batch_id: string; payload: Buffer }>(`
    SELECT b.batch_id, b.payload FROM batch b WHERE b.batch_id = (
      SELECT br.batch_id FROM batch_record br JOIN profile_change c ON c.id = br.change_id WHERE c.kind = $1 AND c.created_at >= $2
      ORDER BY br.batch_id LIMIT 1)`, [kind, since]);
  if (!batch) return null;
  const { rows } = await pool.query<ReferenceRow>(`SELECT ${COLUMNS} FROM profile_change c
    WHERE c.id IN (SELECT change_id FROM batch_record WHERE batch_id = $1) ORDER BY c.id`, [batch.batch_id]);
  const text = batch.payload.toString('utf8');
  const inner = text.slice(text.indexOf('<DanhSachHoSo>') + '<DanhSachHoSo>'.length, text.lastIndexOf('</DanhSachHoSo>'));
  return { batchId: batch.batch_id, same: inner === rows.map(referenceRecordXml).join('') };
}

async function run() {
  const check = await sameBytes();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let after: string | null = null;
  let records = 0;
  let bytes = 0;
  let wireBytes = 0;
  let batches = 0;
  let inFlight: Promise<void> = Promise.resolve();
  for (;;) {
    const rows = await page(after);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    const batchId = `REF-${String(++batches).padStart(6, '0')}`;
    const payload = Buffer.from(referenceBatchXml({ batchId, senderCode, period: null, createdAt: formatDateTime(systemClock.now()) }, rows.map(referenceRecordXml)), 'utf8');
    const body = JSON.stringify({ batchId, senderCode, period: null, recordCount: rows.length,
      payloadSha256: createHash('sha256').update(payload).digest('hex'), payload: payload.toString('base64'), signature: '' });
    records += rows.length;
    bytes += payload.length;
    wireBytes += Buffer.byteLength(body);
    // One POST in flight while the next page is read and written.
    await inFlight;
    inFlight = http.request({ method: 'POST', path: sinkUrl.pathname, body, headers: { 'content-type': 'application/json' } })
      .then(async (res) => { await res.body.dump(); if (res.statusCode !== 200) throw new Error(`sink answered ${res.statusCode}`); });
  }
  await inFlight;
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuSeconds: (cpu.user + cpu.system) / 1e6, records, bytes, wireBytes, batches, sameBytes: check };
}

process.on('message', (message: { type: string }) => {
  if (message.type !== 'run') return;
  run().then((r) => process.send!({ type: 'run:done', ...r }), (err: unknown) => process.send!({ type: 'run:done', error: String((err as Error)?.stack ?? err) }));
});
process.once('disconnect', () => { void Promise.all([pool.end(), http.close()]).finally(() => process.exit(0)); });
process.once('SIGTERM', () => { void Promise.all([pool.end(), http.close()]).finally(() => process.exit(0)); });
console.log('reference ready');
