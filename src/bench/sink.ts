// Receivers on 127.0.0.1 for the benchmark, cheaper than any real national side:
//   - the reference pipeline's sink: drains each request body and answers 200 with a small JSON;
//   - an "instant national side" (`national: true`): the same, plus what the gateway's client needs to
//     call it — POST /token (client credentials) and, for POST /batches, a receipt accepting every record
//     (the batch id from the Idempotency-Key header, the count from the envelope's `recordCount`, read from
//     the first bytes of the body). Nothing is parsed or verified: it shows what the gateway costs by itself,
//     without the simulator's XML parsing.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../clock.ts';

export interface Sink {
  url: string;
  /** Base URL for the gateway's NATIONAL_BASE_URL (national mode). */
  baseUrl: string;
  requests: number;
  bytes: number;
  close(): Promise<void>;
}

export async function startSink(o: { national?: boolean } = {}): Promise<Sink> {
  const state = { requests: 0, bytes: 0 };
  const server: Server = createServer((req, res) => {
    let head = '';
    req.on('data', (chunk: Buffer) => {
      state.bytes += chunk.length;
      if (head.length < 512) head += chunk.subarray(0, 512).toString('latin1');
    });
    req.on('end', () => {
      state.requests += 1;
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (!o.national) return json(200, { status: 'ACCEPTED' });
      if (req.method === 'POST' && req.url === '/token') {
        return json(200, { access_token: randomUUID(), token_type: 'Bearer', expires_in: 3600 });
      }
      if (req.method === 'POST' && req.url === '/batches') {
        const batchId = String(req.headers['idempotency-key'] ?? '');
        const accepted = Number(/"recordCount":(\d+)/.exec(head)?.[1] ?? 0);
        return json(200, { receiptId: randomUUID(), batchId, status: 'ACCEPTED', accepted, rejected: [], receivedAt: systemClock.now().toISOString() });
      }
      return json(404, { code: 'NOT_FOUND', message: 'not found' });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/batches`,
    baseUrl: `http://127.0.0.1:${port}`,
    get requests() { return state.requests; },
    get bytes() { return state.bytes; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
