// `csdl-gateway grant`: the first grants of a deployment (Sở Nội vụ's first operator and administrator),
// made by whoever runs the machine, before anyone can sign in to grant through the API. Audited as SYSTEM.
import type { Config } from '../config.ts';
import { systemClock } from '../clock.ts';
import { canonicalAgencyCode } from '../domain/agency-code.ts';
import { GRANT_ROLES } from '../domain/grant-rules.ts';
import { assertPersonalIdFormat } from '../domain/personal-id.ts';
import { GatewayError } from '../errors.ts';
import { openDb } from '../store/db.ts';
import { getAgency } from '../store/agencies.ts';
import { createGrant, type GrantRow } from '../store/grants.ts';

export interface BootstrapGrant {
  subject: string;
  role: string;
  agency: string;
  personalId?: string | undefined;
  reason: string;
}

export async function bootstrapGrant(config: Config, g: BootstrapGrant): Promise<GrantRow> {
  if (!(GRANT_ROLES as readonly string[]).includes(g.role)) throw new GatewayError('INVALID_VALUE', { field: 'role', allowed: GRANT_ROLES });
  if (g.role === 'STAFF') assertPersonalIdFormat(g.personalId);
  const agencyCode = canonicalAgencyCode(g.agency);
  const db = openDb(config.databaseUrl);
  try {
    if (!(await getAgency(db, agencyCode))) throw new GatewayError('AGENCY_NOT_FOUND', { code: agencyCode });
    const now = systemClock.now();
    return await createGrant(db, { subject: 'system', role: 'SYSTEM' }, {
      subject: g.subject, role: g.role, agencyCode, personalId: g.role === 'STAFF' ? g.personalId! : null, state: 'ACTIVE',
      validFrom: now, validTo: null, reason: g.reason.normalize('NFC').trim(),
    }, now);
  } finally {
    await db.close();
  }
}
