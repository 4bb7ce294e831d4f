// Liveness (/health: the process answers) and readiness (/ready: the database and Redis answer).
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';

export interface ReadinessProbe { name: string; check: () => Promise<boolean> }

/** A probe that has not answered by then counts as down: /ready answers even when a dependency hangs. */
export const PROBE_TIMEOUT_MS = 2_000;

export async function probeWithin(probe: ReadinessProbe, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([probe.check().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Boolean()) });

export const healthRoutes: FastifyPluginAsync<{ probes: ReadinessProbe[]; probeTimeoutMs?: number }> = async (app, { probes, probeTimeoutMs = PROBE_TIMEOUT_MS }) => {
  app.get('/health', { schema: { tags: ['ops'], response: { 200: Health } }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { tags: ['ops'], response: { 200: Ready, 503: Ready } }, logLevel: 'warn' }, async (_req, reply) => {
    const results = await Promise.all(probes.map(async (p) => [p.name, await probeWithin(p, probeTimeoutMs)] as const));
    const checks = Object.fromEntries(results);
    const ok = results.every(([, up]) => up);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
};
