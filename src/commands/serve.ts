// `csdl-gateway serve`: the HTTP API until SIGTERM/SIGINT, then a clean stop (in-flight requests finish).
import type { Config } from '../config.ts';
import { buildGatewayApp, openRuntime } from '../runtime.ts';

export async function serve(config: Config): Promise<void> {
  const rt = openRuntime(config);
  const app = await buildGatewayApp(rt);
  app.addHook('onClose', async () => rt.close());
  const stop = (signal: string) => {
    rt.logger.info({ signal }, 'shutting down');
    app.close().then(() => process.exit(0), (err) => { rt.logger.error({ err }, 'shutdown failed'); process.exit(1); });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const address = await app.listen({ host: config.host, port: config.port });
  rt.logger.info({ address }, 'csdl-gateway API listening');
}
