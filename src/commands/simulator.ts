// `csdl-gateway simulator`: the national side of NATIONAL_API.md as a server, for demos and tests.
// It trusts the province's CAs (TRUST_ANCHORS, CRL_FILES), accepts the province's client credentials,
// signs records with its own national signer, and injects the faults of SIM_FAULTS.
import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import type { Config } from '../config.ts';
import { GatewayError } from '../errors.ts';
import { FaultPlanSchema, startSimulator, type FaultPlan, type RunningSimulator } from '../simulator/index.ts';

export async function startConfiguredSimulator(config: Config, overrides: { port?: number; faults?: FaultPlan } = {}): Promise<RunningSimulator> {
  if (!config.simSignerKeyFile || !config.simSignerCertFile) {
    throw new GatewayError('CONFIG_INVALID', { variable: 'SIM_SIGNER_KEY_FILE', reason: 'the simulator needs a national signer (SIM_SIGNER_KEY_FILE, SIM_SIGNER_CERT_FILE)' });
  }
  if (config.trustAnchorFiles.length === 0) throw new GatewayError('CONFIG_INVALID', { variable: 'TRUST_ANCHORS', reason: 'the simulator verifies batches against the province CAs' });
  let faults = overrides.faults;
  if (!faults && config.simFaults) {
    const parsed: unknown = JSON.parse(config.simFaults);
    if (!Value.Check(FaultPlanSchema, parsed)) throw new GatewayError('CONFIG_INVALID', { variable: 'SIM_FAULTS', reason: 'not a fault plan' });
    faults = parsed as FaultPlan;
  }
  return startSimulator({
    db: config.simDatabaseUrl || config.databaseUrl,
    clients: [{ clientId: config.nationalClientId, clientSecret: config.nationalClientSecret, senderCodes: [config.senderCode] }],
    provinceTrustAnchors: config.trustAnchorFiles.map((f) => readFileSync(f, 'utf8')),
    crls: config.crlFiles.map((f) => readFileSync(f)),
    nationalSigner: { key: readFileSync(config.simSignerKeyFile, 'utf8'), cert: readFileSync(config.simSignerCertFile, 'utf8') },
    host: config.host,
    port: overrides.port ?? config.simPort,
    ...(faults ? { faults } : {}),
  });
}

export async function runSimulator(config: Config): Promise<void> {
  const sim = await startConfiguredSimulator(config);
  console.log(`national simulator listening on ${sim.url} (token: ${sim.url}/token)`);
  const stop = () => { sim.close().then(() => process.exit(0), () => process.exit(1)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
