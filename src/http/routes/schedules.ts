// The month's schedules for operators: when each fires, and running one by hand now.
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { SCHEDULES, runSchedule, type ScheduleDeps, type ScheduleName } from '../../sync/schedules.ts';
import { schedulePatterns, TIME_ZONE } from '../../jobs/scheduler.ts';
import { requireRole } from '../auth-plugin.ts';
import { errorResponses } from '../schemas.ts';

const NameParams = Type.Object({ name: Type.Union(SCHEDULES.map((s) => Type.Literal(s))) });
const RunBody = Type.Union([Type.Object({ force: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), Type.Null()]);

export const scheduleRoutes: FastifyPluginAsync<{ schedules: () => ScheduleDeps }> = async (app, { schedules }) => {
  const operators = requireRole('PROVINCE_OPERATOR', 'ADMIN');

  app.get('/', {
    preHandler: operators,
    schema: { tags: ['schedules'], response: { 200: Type.Object({ timeZone: Type.String(), schedules: Type.Array(Type.Object({ name: Type.String(), pattern: Type.String() })) }), ...errorResponses } },
  }, async () => {
    const patterns = schedulePatterns(app.deps.config.monthEndHour);
    return { timeZone: TIME_ZONE, schedules: SCHEDULES.map((name) => ({ name, pattern: patterns[name] })) };
  });

  app.post('/:name/run', {
    preHandler: requireRole('PROVINCE_OPERATOR'),
    schema: { tags: ['schedules'], summary: 'Run a schedule now; `force` runs it even when today is not its day', params: NameParams, body: RunBody,
      response: { 200: Type.Unknown(), ...errorResponses } },
  }, async (request) => {
    const { name } = request.params as { name: ScheduleName };
    const force = (request.body as { force?: boolean } | null)?.force ?? false;
    request.log.info({ schedule: name, force, by: request.principal?.subject }, 'schedule run by hand');
    return runSchedule(name, schedules(), app.deps.clock.now(), { force });
  });
};
