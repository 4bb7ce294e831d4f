// What every part of the simulator shares during one run: storage, fault injector, counters, the
// registered platform clients, the signature services and the clock. Built once in app.ts.
import type { FaultInjector } from './faults.ts';
import type { NationalSigner, ProvinceVerifier } from './signatures.ts';
import type { SenderWatch } from './sender-watch.ts';
import type { SimStats } from './stats.ts';
import type { SimStorage } from './storage.ts';

/** A client application registered with the platform (client credentials of §2). */
export interface SimClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Sender agency codes this client may use in X-Sender-Code (and the batch's senderCode). */
  readonly senderCodes: readonly string[];
  /** When set, calls from other addresses are refused with 403 IP_DISALLOWED. */
  readonly allowedIps?: readonly string[];
}

export interface SimContext {
  readonly storage: SimStorage;
  readonly faults: FaultInjector;
  readonly stats: SimStats;
  /** Per-sender in-flight and Retry-After accounting (§4), over every connection. */
  readonly senders: SenderWatch;
  readonly clients: ReadonlyMap<string, SimClient>;
  readonly tokenTtlSeconds: number;
  readonly maxBodyBytes: number;
  readonly verifier: ProvinceVerifier;
  readonly signer: NationalSigner;
  readonly now: () => Date;
  /** The local date for the record date rules; default: today in UTC+07:00. */
  readonly today?: () => string;
}
