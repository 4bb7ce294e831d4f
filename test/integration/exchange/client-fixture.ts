// The gateway's national client pointed at a running simulator, for the exchange integration tests.
import { createNationalClient, type NationalClient, type NationalClientOptions } from '../../../src/exchange/national-client.ts';
import type { RunningSimulator } from '../../../src/simulator/app.ts';
import { CLIENT, SENDER } from '../simulator/harness.ts';
import { testGate } from '../../support/sender-gate.ts';

export function clientFor(sim: RunningSimulator | { url: string }, options: Partial<NationalClientOptions> = {}): NationalClient {
  return createNationalClient({
    baseUrl: sim.url,
    tokenUrl: `${sim.url}/token`,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    senderCode: SENDER,
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    ...options,
    gate: options.gate ?? testGate({ senderCode: options.senderCode ?? SENDER, ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}) }),
  });
}

/** Runs `fn` with a client and always closes it. */
export async function withClient<T>(sim: RunningSimulator | { url: string }, options: Partial<NationalClientOptions>, fn: (c: NationalClient) => Promise<T>): Promise<T> {
  const client = clientFor(sim, options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
