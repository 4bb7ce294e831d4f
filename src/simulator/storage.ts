// The national simulator's own storage: PostgreSQL, in a schema of its own, created on start when
// missing, so a run survives restarts. The simulator plays another system, so it talks to its database
// directly through this one module (the gateway's store/ layer is not involved).
//
// Concurrency: a batch is stored in one transaction under an advisory lock on its batchId, so two
// concurrent pushes of the same batch store it once (the second sees the first); a record is written
// with one conditional upsert, so a stale version can never overwrite a newer one.
import type pg from 'pg';
import type { AckStatus, Receipt, TransferRequestFields } from '../exchange/national-contract.ts';
import { createPgPool } from '../store/pg-pool.ts';

export interface StoredBatch {
  readonly batchId: string;
  readonly payloadSha256: string;
  readonly senderCode: string;
  readonly receipt: Receipt;
}

export interface StoredRecord {
  readonly personalId: string;
  readonly version: number;
  readonly holderCode: string;
  readonly document: Buffer;
  /** The national signature over `document`, made on first read and kept. */
  readonly signature: Buffer | null;
  readonly updatedAt: Date;
}

export interface RecordWrite {
  /** Position in the batch, to report a stale one. */
  readonly index: number;
  readonly personalId: string;
  readonly version: number;
  readonly holderCode: string;
  readonly document: Buffer;
}

export interface BatchWrite {
  readonly batchId: string;
  readonly payloadSha256: string;
  readonly senderCode: string;
  readonly clientId: string;
  readonly period: string | null;
  readonly recordCount: number;
  readonly receivedAt: Date;
  readonly records: readonly RecordWrite[];
  /** Builds the receipt once the stale records (by index) are known. */
  readonly receipt: (staleIndexes: ReadonlySet<number>) => Receipt;
}

export type BatchWriteResult =
  | { readonly stored: true; readonly receipt: Receipt }
  | { readonly stored: false; readonly existing: StoredBatch };

export interface StoredTransfer extends TransferRequestFields {
  readonly gatewayUrl: string | null;
  readonly ackStatus: AckStatus | null;
  readonly ackReason: string | null;
}

export type AckResult =
  | { readonly kind: 'acked'; readonly transfer: StoredTransfer }
  | { readonly kind: 'same'; readonly transfer: StoredTransfer }
  | { readonly kind: 'conflict'; readonly transfer: StoredTransfer }
  | { readonly kind: 'unknown' };

export interface StorageCounts {
  readonly batches: number;
  readonly records: number;
  readonly transferRequests: number;
  readonly acknowledged: number;
}

export interface TokenRow { readonly clientId: string; readonly expiresAt: Date; readonly revoked: boolean }

export interface SimStorage {
  readonly schema: string;
  init(): Promise<void>;
  close(): Promise<void>;
  issueToken(token: string, clientId: string, expiresAt: Date): Promise<void>;
  findToken(token: string): Promise<TokenRow | undefined>;
  revokeToken(token: string): Promise<void>;
  findBatch(batchId: string): Promise<StoredBatch | undefined>;
  storeBatch(write: BatchWrite): Promise<BatchWriteResult>;
  findRecord(personalId: string): Promise<StoredRecord | undefined>;
  /** Pre-loads (or replaces) a record, whatever version is stored. */
  putRecord(record: Omit<RecordWrite, 'index'> & { updatedAt: Date }): Promise<void>;
  saveSignature(personalId: string, version: number, signature: Buffer): Promise<void>;
  saveTransfer(fields: TransferRequestFields, gatewayUrl: string | null, sentAt: Date): Promise<void>;
  findTransfer(requestId: string): Promise<StoredTransfer | undefined>;
  ackTransfer(requestId: string, status: AckStatus, reason: string | null, at: Date): Promise<AckResult>;
  counts(): Promise<StorageCounts>;
}

export interface SimStorageOptions {
  /** A connection string (the storage opens and closes its own pool) or a pool owned by the caller. */
  readonly db: string | pg.Pool;
  /** Schema name, default `national_sim`. */
  readonly schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function ddl(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.tokens (
  token text PRIMARY KEY, client_id text NOT NULL, expires_at timestamptz NOT NULL, revoked boolean NOT NULL DEFAULT false);
CREATE TABLE IF NOT EXISTS ${s}.batches (
  batch_id text PRIMARY KEY, payload_sha256 text NOT NULL, sender_code text NOT NULL, client_id text NOT NULL,
  period text, record_count integer NOT NULL, receipt json NOT NULL, received_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.records (
  personal_id text PRIMARY KEY, version integer NOT NULL, holder_code text NOT NULL, document bytea NOT NULL,
  signature bytea, updated_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.transfer_requests (
  request_id text PRIMARY KEY, personal_id text NOT NULL, from_agency_code text NOT NULL, to_agency_code text NOT NULL,
  decision_no text NOT NULL, effective_date text NOT NULL, gateway_url text, sent_at timestamptz NOT NULL,
  ack_status text, ack_reason text, acked_at timestamptz);`;
}

interface TransferRow {
  request_id: string; personal_id: string; from_agency_code: string; to_agency_code: string; decision_no: string;
  effective_date: string; gateway_url: string | null; ack_status: AckStatus | null; ack_reason: string | null;
}

function transferOf(r: TransferRow): StoredTransfer {
  return {
    requestId: r.request_id, personalId: r.personal_id, fromAgencyCode: r.from_agency_code, toAgencyCode: r.to_agency_code,
    decisionNo: r.decision_no, effectiveDate: r.effective_date, gatewayUrl: r.gateway_url,
    ackStatus: r.ack_status, ackReason: r.ack_reason,
  };
}

/** Splits writes into rounds in which each personal id appears at most once, keeping their order. */
function rounds(records: readonly RecordWrite[]): RecordWrite[][] {
  const out: RecordWrite[][] = [];
  const seen = new Map<string, number>();
  for (const r of records) {
    const k = seen.get(r.personalId) ?? 0;
    seen.set(r.personalId, k + 1);
    (out[k] ??= []).push(r);
  }
  return out;
}

export function createSimStorage(options: SimStorageOptions): SimStorage {
  const schema = options.schema ?? 'national_sim';
  if (!SCHEMA_NAME.test(schema)) throw new RangeError(`invalid schema name "${schema}"`);
  const ownsPool = typeof options.db === 'string';
  const pool = typeof options.db === 'string' ? createPgPool({ connectionString: options.db, max: 8 }) : options.db;
  const t = (table: string): string => `${schema}.${table}`;

  async function inTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async function findBatchWith(q: pg.Pool | pg.PoolClient, batchId: string): Promise<StoredBatch | undefined> {
    const { rows } = await q.query<{ batch_id: string; payload_sha256: string; sender_code: string; receipt: Receipt }>(
      `SELECT batch_id, payload_sha256, sender_code, receipt FROM ${t('batches')} WHERE batch_id = $1`, [batchId]);
    const r = rows[0];
    return r && { batchId: r.batch_id, payloadSha256: r.payload_sha256, senderCode: r.sender_code, receipt: r.receipt };
  }

  return {
    schema,
    async init() {
      await inTransaction(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`csdl-sim-schema:${schema}`]);
        await c.query(ddl(schema));
      });
    },
    async close() {
      if (ownsPool) await pool.end();
    },
    async issueToken(token, clientId, expiresAt) {
      await pool.query(`INSERT INTO ${t('tokens')} (token, client_id, expires_at) VALUES ($1, $2, $3)`, [token, clientId, expiresAt]);
    },
    async findToken(token) {
      const { rows } = await pool.query<{ client_id: string; expires_at: Date; revoked: boolean }>(
        `SELECT client_id, expires_at, revoked FROM ${t('tokens')} WHERE token = $1`, [token]);
      const r = rows[0];
      return r && { clientId: r.client_id, expiresAt: r.expires_at, revoked: r.revoked };
    },
    async revokeToken(token) {
      await pool.query(`UPDATE ${t('tokens')} SET revoked = true WHERE token = $1`, [token]);
    },
    findBatch: (batchId) => findBatchWith(pool, batchId),
    storeBatch(w) {
      return inTransaction(async (c): Promise<BatchWriteResult> => {
        await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`csdl-sim-batch:${w.batchId}`]);
        const existing = await findBatchWith(c, w.batchId);
        if (existing) return { stored: false, existing };
        // One statement per round instead of one per record; a personal id repeated within a batch goes
        // to a later round, so its occurrences are applied in order, as they would be one by one.
        const stale = new Set<number>();
        for (const round of rounds(w.records)) {
          const { rows } = await c.query<{ idx: number }>(`
            WITH input AS (
              SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::bytea[]) AS u(idx, personal_id, version, holder_code, document)),
            written AS (
              INSERT INTO ${t('records')} (personal_id, version, holder_code, document, signature, updated_at)
              SELECT personal_id, version, holder_code, document, NULL, $6 FROM input
              ON CONFLICT (personal_id) DO UPDATE SET version = EXCLUDED.version, holder_code = EXCLUDED.holder_code,
                document = EXCLUDED.document, signature = NULL, updated_at = EXCLUDED.updated_at
              WHERE ${t('records')}.version < EXCLUDED.version
              RETURNING personal_id)
            SELECT idx FROM input WHERE personal_id NOT IN (SELECT personal_id FROM written)`,
          [round.map((r) => r.index), round.map((r) => r.personalId), round.map((r) => r.version), round.map((r) => r.holderCode),
            round.map((r) => r.document), w.receivedAt]);
          for (const r of rows) stale.add(r.idx);
        }
        const receipt = w.receipt(stale);
        await c.query(
          `INSERT INTO ${t('batches')} (batch_id, payload_sha256, sender_code, client_id, period, record_count, receipt, received_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [w.batchId, w.payloadSha256, w.senderCode, w.clientId, w.period, w.recordCount, JSON.stringify(receipt), w.receivedAt]);
        return { stored: true, receipt };
      });
    },
    async findRecord(personalId) {
      const { rows } = await pool.query<{ personal_id: string; version: number; holder_code: string; document: Buffer; signature: Buffer | null; updated_at: Date }>(
        `SELECT personal_id, version, holder_code, document, signature, updated_at FROM ${t('records')} WHERE personal_id = $1`, [personalId]);
      const r = rows[0];
      return r && {
        personalId: r.personal_id, version: r.version, holderCode: r.holder_code, document: r.document,
        signature: r.signature, updatedAt: r.updated_at,
      };
    },
    async putRecord(r) {
      await pool.query(
        `INSERT INTO ${t('records')} (personal_id, version, holder_code, document, signature, updated_at) VALUES ($1, $2, $3, $4, NULL, $5)
         ON CONFLICT (personal_id) DO UPDATE SET version = EXCLUDED.version, holder_code = EXCLUDED.holder_code,
           document = EXCLUDED.document, signature = NULL, updated_at = EXCLUDED.updated_at`,
        [r.personalId, r.version, r.holderCode, r.document, r.updatedAt]);
    },
    async saveSignature(personalId, version, signature) {
      await pool.query(`UPDATE ${t('records')} SET signature = $3 WHERE personal_id = $1 AND version = $2`, [personalId, version, signature]);
    },
    async saveTransfer(f, gatewayUrl, sentAt) {
      await pool.query(
        `INSERT INTO ${t('transfer_requests')} (request_id, personal_id, from_agency_code, to_agency_code, decision_no, effective_date, gateway_url, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id) DO UPDATE SET gateway_url = EXCLUDED.gateway_url, sent_at = EXCLUDED.sent_at`,
        [f.requestId, f.personalId, f.fromAgencyCode, f.toAgencyCode, f.decisionNo, f.effectiveDate, gatewayUrl, sentAt]);
    },
    async findTransfer(requestId) {
      const { rows } = await pool.query<TransferRow>(`SELECT * FROM ${t('transfer_requests')} WHERE request_id = $1`, [requestId]);
      return rows[0] && transferOf(rows[0]);
    },
    ackTransfer(requestId, status, reason, at) {
      return inTransaction(async (c): Promise<AckResult> => {
        const { rows } = await c.query<TransferRow>(`SELECT * FROM ${t('transfer_requests')} WHERE request_id = $1 FOR UPDATE`, [requestId]);
        const row = rows[0];
        if (!row) return { kind: 'unknown' };
        if (row.ack_status !== null) return { kind: row.ack_status === status ? 'same' : 'conflict', transfer: transferOf(row) };
        const updated = await c.query<TransferRow>(
          `UPDATE ${t('transfer_requests')} SET ack_status = $2, ack_reason = $3, acked_at = $4 WHERE request_id = $1 RETURNING *`,
          [requestId, status, reason, at]);
        return { kind: 'acked', transfer: transferOf(updated.rows[0]!) };
      });
    },
    async counts() {
      const { rows } = await pool.query<{ batches: string; records: string; transfers: string; acked: string }>(
        `SELECT (SELECT count(*) FROM ${t('batches')}) AS batches, (SELECT count(*) FROM ${t('records')}) AS records,
                (SELECT count(*) FROM ${t('transfer_requests')}) AS transfers,
                (SELECT count(*) FROM ${t('transfer_requests')} WHERE ack_status IS NOT NULL) AS acked`);
      const r = rows[0]!;
      return { batches: Number(r.batches), records: Number(r.records), transferRequests: Number(r.transfers), acknowledged: Number(r.acked) };
    },
  };
}
