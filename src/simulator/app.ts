// The project's national side (NATIONAL_API.md §2, §4, §5, §7) as a Fastify app, for tests and demos:
// token endpoint, batches, records, transfer acknowledgements, fault injection and counters, with its
// data in PostgreSQL (its own schema) so it survives restarts. `startSimulator` listens and returns
// its URL; `csdl-gateway simulator` wires it from the command line.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Check } from 'typebox/value';
import { GatewayError } from '../errors.ts';
import { MAX_BATCH_BODY_BYTES } from '../exchange/national-contract.ts';
import { exchangeRoutes } from './exchange-routes.ts';
import { createFaultInjector, FaultPlanSchema, NO_FAULTS, type FaultPlan } from './faults.ts';
import { installNationalErrorHandler } from './national-replies.ts';
import { createNationalSigner, createProvinceVerifier, type PkiInput, type SignerSource } from './signatures.ts';
import { controlRoutes, createSimulatorControl, type SimulatorControl } from './sim-control.ts';
import type { SimClient, SimContext } from './sim-context.ts';
import { createSimStats } from './stats.ts';
import { createSenderWatch } from './sender-watch.ts';
import { createSimStorage } from './storage.ts';
import { tokenEndpoint } from './token-endpoint.ts';
import { systemClock } from '../clock.ts';

export interface SimulatorTls {
  readonly key: PkiInput;
  readonly cert: PkiInput;
  /** CA certificates accepted for client certificates (mutual TLS). */
  readonly ca?: PkiInput | PkiInput[];
  /** Refuse connections without a client certificate issued under `ca`. */
  readonly requireClientCert?: boolean;
}

export interface SimulatorOptions {
  /** PostgreSQL connection string, or a pool owned by the caller. */
  readonly db: string | pg.Pool;
  /** Schema for the simulator's tables (default `national_sim`). */
  readonly schema?: string;
  readonly clients: readonly SimClient[];
  /** Trust anchors of the province's signers (PEM text or DER). */
  readonly provinceTrustAnchors: PkiInput | readonly PkiInput[];
  readonly crls?: readonly PkiInput[];
  /** The national signer: key, certificate and chain (PEM), or a loaded identity. */
  readonly nationalSigner: SignerSource;
  /** Largest request body; default 32 MiB (§4). */
  readonly maxBodyBytes?: number;
  /** Lifetime of issued tokens; default 3600 s (§2). */
  readonly tokenTtlSeconds?: number;
  readonly faults?: FaultPlan;
  /** Calls of one sender in flight beyond which arrivals count as `excess` (default 4, §4). */
  readonly senderInFlightLimit?: number;
  /** A call arriving this soon after a Retry-After answer to its sender is `racing`, not early (default 100 ms). */
  readonly retryAfterGraceMs?: number;
  readonly now?: () => Date;
  /** Local date for the record date rules (default: today in UTC+07:00). */
  readonly today?: () => string;
  /** Protects /_sim with the header X-Sim-Admin-Key. */
  readonly adminKey?: string;
  readonly logger?: FastifyBaseLogger | boolean;
  /** Serve HTTPS (with optional mutual TLS) instead of HTTP. */
  readonly tls?: SimulatorTls;
}

export type Simulator = FastifyInstance & { readonly sim: SimulatorControl };

function asList(input: PkiInput | readonly PkiInput[]): PkiInput[] {
  return typeof input === 'string' || input instanceof Uint8Array ? [input] : [...input];
}

function httpsOptions(tls: SimulatorTls | undefined): object {
  if (!tls) return {};
  const ca = tls.ca === undefined ? undefined : asList(tls.ca).map((c) => (typeof c === 'string' ? c : Buffer.from(c)));
  return {
    https: {
      key: tls.key, cert: tls.cert, ...(ca ? { ca } : {}),
      requestCert: tls.requireClientCert ?? false, rejectUnauthorized: tls.requireClientCert ?? false,
    },
  };
}

export async function buildSimulator(options: SimulatorOptions): Promise<Simulator> {
  const faultPlan = options.faults ?? NO_FAULTS;
  if (!Check(FaultPlanSchema, faultPlan)) throw new GatewayError('CONFIG_INVALID', { option: 'faults' });
  if (options.clients.length === 0) throw new GatewayError('CONFIG_INVALID', { option: 'clients', reason: 'at least one client' });
  const storage = createSimStorage({ db: options.db, ...(options.schema ? { schema: options.schema } : {}) });
  await storage.init();
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BATCH_BODY_BYTES;
  const now = options.now ?? systemClock.now;
  const ctx: SimContext = {
    storage,
    faults: createFaultInjector(faultPlan),
    stats: createSimStats(),
    senders: createSenderWatch({
      ...(options.senderInFlightLimit !== undefined ? { limit: options.senderInFlightLimit } : {}),
      ...(options.retryAfterGraceMs !== undefined ? { graceMs: options.retryAfterGraceMs } : {}),
    }),
    clients: new Map(options.clients.map((c) => [c.clientId, c])),
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    maxBodyBytes,
    verifier: createProvinceVerifier({ trustAnchors: asList(options.provinceTrustAnchors), crls: options.crls ?? [], now }),
    signer: await createNationalSigner(options.nationalSigner),
    now,
    ...(options.today ? { today: options.today } : {}),
  };

  const logger = options.logger ?? false;
  const app = Fastify({
    ...(typeof logger === 'boolean' ? { logger } : { loggerInstance: logger }),
    bodyLimit: maxBodyBytes,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false, useDefaults: false } },
    ...httpsOptions(options.tls),
  }) as unknown as FastifyInstance;
  const control = createSimulatorControl(ctx);
  app.decorate('sim', control);
  installNationalErrorHandler(app);
  app.addHook('onResponse', async (_request, reply) => {
    ctx.stats.answered(reply.statusCode);
  });
  app.addHook('onClose', async () => {
    await storage.close();
  });
  await app.register(tokenEndpoint(ctx));
  await app.register(exchangeRoutes(ctx));
  await app.register(controlRoutes(control, options.adminKey), { prefix: '/_sim' });
  return app as Simulator;
}

export interface RunningSimulator {
  readonly url: string;
  readonly app: Simulator;
  readonly sim: SimulatorControl;
  close(): Promise<void>;
}

/** A host to reach a server listening on `host` (a wildcard address is reached on loopback). */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Builds and listens (default 127.0.0.1, a free port); `close()` stops it and frees its storage. */
export async function startSimulator(options: SimulatorOptions & { host?: string; port?: number }): Promise<RunningSimulator> {
  const app = await buildSimulator(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port ?? 0;
  const scheme = options.tls ? 'https' : 'http';
  let closing: Promise<void> | undefined;
  return {
    url: `${scheme}://${urlHost(host)}:${port}`,
    app,
    sim: app.sim,
    close: () => (closing ??= app.close().then(() => undefined)),
  };
}
