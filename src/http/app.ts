// Builds the gateway's Fastify app from its dependencies; nothing here reads the environment.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { withClock, type Db } from '../store/db.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import { installErrorHandler } from './error-handler.ts';
import { installInputGuard } from './input-guard.ts';
import { checkpointDeps } from '../services/audit-checkpoints.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { signInRoutes } from './sign-in-routes.ts';
import type { ConsoleSignIn } from '../services/console-sign-in.ts';
import { grantRoutes } from './routes/grants.ts';
import { approverCertificateRoutes } from './routes/approver-certificates.ts';
import { adminMaskingPlugin } from './admin-masking.ts';
import { authPlugin } from './auth-plugin.ts';
import { healthRoutes, type ReadinessProbe } from './health-routes.ts';
import { agencyRoutes } from './routes/agencies.ts';
import { personRoutes } from './routes/persons.ts';
import { changeRoutes } from './routes/changes.ts';
import { rebaseRoutes } from './routes/rebase.ts';
import { auditRoutes } from './routes/audit.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { batchRoutes } from './routes/batches.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { reportRoutes } from './routes/reports.ts';
import { importRoutes } from './routes/imports.ts';
import { scheduleDeps } from '../sync/schedule-deps.ts';
import type { NationalClient } from '../exchange/national-client.ts';
import { sharedSchemas } from './schemas.ts';
import type { SigningSetup } from '../approval/signing-setup.ts';
import type { NationalTrust } from '../transfer/national-trust.ts';
import { inboundRoutes } from './routes/inbound.ts';
import { personTransferRoutes, transferRoutes } from './routes/transfers.ts';
import { opsRoutes } from './routes/ops.ts';
import { opsSurfaces } from '../console/ops-surfaces.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import type { OpsQueues } from '../metrics/ops-queues.ts';
import type { Clock } from '../clock.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  verifyToken: TokenVerifier;
  logger: Logger;
  probes?: ReadinessProbe[];
  /** Trust anchors, CRLs, TSA and the organisation key (src/approval/signing-setup.ts). */
  signing?: SigningSetup;
  /** The national platform, for what the API does there itself (reconciliation run by hand). */
  national?: NationalClient;
  /** The clock of every business rule (approval window, deadlines, leases); default: the system clock. Tests move it. */
  clock?: Clock;
  /** NATIONAL_TRUST_ANCHORS, loaded once (default: read from the configured files). */
  nationalTrust?: NationalTrust;
  /** This process's metrics (national calls, alerts); default: a registry of the app's own. */
  metrics?: GatewayMetrics;
  /** Read-only handles on the BullMQ queues: queue depths, and Bull Board for ADMIN (absent: neither). */
  queues?: OpsQueues;
  /** Console sign-in through the provincial SSO (OIDC); absent: bearer tokens only. */
  signIn?: { service: ConsoleSignIn; redirectUrl: string; absoluteSeconds: number };
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps & { clock: Clock };
  }
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : { [key]: value } as Record<K, V>);

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.maxBodyBytes,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
  });
  // One clock for the rules and the store: a clock given here (a test's) is also the one the store writes with.
  const clock = deps.clock ?? deps.db.clock;
  app.decorate('deps', { ...deps, db: withClock(deps.db, clock), clock });
  installErrorHandler(app);
  installSecurityHeaders(app);
  installInputGuard(app, deps.config);
  for (const schema of sharedSchemas) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      info: { title: 'csdl-gateway', version: '1', description: 'Cổng dữ liệu CBCCVC của tỉnh: hồ sơ, phê duyệt ký số, đồng bộ CSDL quốc gia.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const signing = deps.signing ?? { trustAnchors: [], intermediates: [], crls: [], sessionMinutes: deps.config.signingSessionMinutes };
  await app.register(healthRoutes, { probes: deps.probes ?? [] });
  await app.register(opsSurfaces, { signing, verifyToken: deps.verifyToken });
  // §7: the national side calls without a bearer token (authenticated by its signature), so outside the block below.
  await app.register(inboundRoutes, { prefix: '/api/v1/inbound' });
  await app.register(signInRoutes, { signIn: deps.signIn?.service, redirectUrl: deps.signIn?.redirectUrl ?? '', absoluteSeconds: deps.signIn?.absoluteSeconds ?? 0 });
  await app.register(async (api) => {
    await api.register(authPlugin, { verifyToken: deps.verifyToken, signIn: deps.signIn?.service });
    await api.register(adminMaskingPlugin); // ADMIN sees personal ids masked in every answer
    await api.register(agencyRoutes, { prefix: '/agencies' });
    await api.register(personRoutes, { prefix: '/persons' });
    await api.register(changeRoutes, { prefix: '/changes' });
    await api.register(rebaseRoutes, { prefix: '/changes' });
    await api.register(personTransferRoutes, { prefix: '/persons' });
    await api.register(transferRoutes, { prefix: '/transfers' });
    await api.register(auditRoutes, { prefix: '/audit', signing });
    await api.register(grantRoutes, { prefix: '/grants' });
    await api.register(approverCertificateRoutes, { prefix: '/approvers' });
    await api.register(scheduleRoutes, { prefix: '/schedules', schedules: () => {
      if (!deps.national) throw new Error('no national client configured');
      return scheduleDeps(deps.config, app.deps.db, deps.logger, deps.national, signing);
    } });
    await api.register(batchRoutes, { prefix: '/batches', retryDeadlineMs: deps.config.retryDeadlineHours * 3_600_000, signing });
    await api.register(reportRoutes);
    await api.register(importRoutes, { prefix: '/imports' });
    await api.register(opsRoutes, { prefix: '/ops', signing });
    await api.register(approvalRoutes, {
      prefix: '/approvals',
      approvals: {
        db: app.deps.db, provinceCode: deps.config.provinceCode, senderCode: deps.config.senderCode, clock: app.deps.clock,
        setup: signing, approverCertificatesRequired: deps.config.approverCertificatesRequired,
        ...optional('checkpoints', checkpointDeps(app.deps.db, signing, deps.config.auditCheckpointDir, app.deps.clock, deps.logger)),
      },
    });
  }, { prefix: '/api/v1' });
  return app;
}
