// The HSM figure of `npm run bench`: the batches of a month's changes signed with the organisation key
// in a file (PKCS#12, WebCrypto in this process) and with the same kind of key inside an HSM (SoftHSM2
// through PKCS#11), batch by batch on the same payloads. The payloads are the batch documents the
// gateway sends (the reference pipeline's bytes, bench/reference-xml.ts) over demo profiles, so the
// digest work is the real one; only the signature differs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, generateProfile } from '../seed/demo-profiles.ts';
import { referenceBatchXml, referenceRecordXml } from './reference-xml.ts';
import { signDetached } from '../pki/sign-cms.ts';
import { verifyDetached } from '../pki/verify-cms.ts';
import { loadSigningIdentity, type SigningIdentity } from '../pki/signing-identity.ts';
import { parseCertificates } from '../pki/certificates.ts';
import { parseCrls } from '../pki/crl.ts';
import { isDeviceKey } from '../pki/keys.ts';
import type { PersistentDeviceKey } from '../pki/pkcs11.ts';
import { provisionSoftHsmOrgKey } from '../pki/softhsm-provision.ts';

export interface HsmSigningFigures {
  records: number;
  batches: number;
  payloadMiB: number;
  key: string;
  fileSeconds: number;
  hsmSeconds: number;
  /** hsmSeconds / fileSeconds. */
  ratio: number;
  perBatchMs: { file: number; hsm: number };
}

export async function benchHsmSigning(o: { records: number; batchSize: number; pkiDir: string; p12Password: string; workDir: string; now: Date; senderCode: string }): Promise<HsmSigningFigures> {
  const hsm = await provisionSoftHsmOrgKey({ dir: o.workDir, pkiDir: o.pkiDir, now: o.now, spec: 'RSA-3072' });
  const file = await loadSigningIdentity({ pkcs12: readFileSync(join(o.pkiDir, 'org-signer.p12')), password: o.p12Password });
  const device: SigningIdentity = await loadSigningIdentity({ pkcs11: { modulePath: hsm.modulePath, tokenLabel: hsm.tokenLabel, keyLabel: hsm.keyLabel, pin: hsm.pin } });
  try {
    const rng = createRng(15);
    const today = o.now.toISOString().slice(0, 10);
    const period = today.slice(0, 7);
    let fileMs = 0;
    let hsmMs = 0;
    let bytes = 0;
    let batches = 0;
    let checked = false;
    for (let first = 0; first < o.records; first += o.batchSize) {
      const records: string[] = [];
      for (let i = first; i < Math.min(o.records, first + o.batchSize); i += 1) {
        const p = generateProfile(rng, { agencyCode: `${o.senderCode.split('.')[0]}.06`, today, serial: i });
        records.push(referenceRecordXml({
          id: String(i), personalId: p.personalId, kind: 'CAP_NHAT', category: p.category, status: p.status, managingAgencyCode: p.agencyCode,
          employingAgencyCode: p.agencyCode, effectiveDate: null, profile: p.SoYeuLyLich, targetVersion: 2, approvals: null,
        }));
      }
      const payload = Buffer.from(referenceBatchXml({ batchId: `${o.senderCode}-${period}-${batches + 1}`, senderCode: o.senderCode, period, createdAt: o.now.toISOString() }, records));
      bytes += payload.byteLength;
      batches += 1;
      if (batches === 1) {
        // Warm-up (JIT, WebCrypto and the token's session): not counted.
        await signDetached(payload, file, { signingTime: o.now });
        await signDetached(payload, device, { signingTime: o.now });
      }
      // Alternating which key goes first, so neither profits from the payload being hot in cache.
      const timed = async (identity: SigningIdentity) => {
        const t0 = performance.now();
        const cms = await signDetached(payload, identity, { signingTime: o.now });
        return { cms, ms: performance.now() - t0 };
      };
      let f: { cms: Uint8Array; ms: number };
      let h: { cms: Uint8Array; ms: number };
      if (batches % 2 === 0) {
        f = await timed(file);
        h = await timed(device);
      } else {
        h = await timed(device);
        f = await timed(file);
      }
      const cms = h.cms;
      fileMs += f.ms;
      hsmMs += h.ms;
      if (!checked) {
        // The figure is only worth something if the HSM's signatures verify.
        await verifyDetached(payload, cms, { trustAnchors: parseCertificates(readFileSync(join(o.pkiDir, 'trust-anchors.pem'))),
          crls: parseCrls(readFileSync(join(o.pkiDir, 'crls.pem'))), now: o.now });
        checked = true;
      }
    }
    return {
      records: o.records, batches, payloadMiB: bytes / 1024 / 1024, key: `RSA-${device.key.sizeBits} (file: RSA-${file.key.sizeBits}), RSASSA-PSS`,
      fileSeconds: fileMs / 1000, hsmSeconds: hsmMs / 1000, ratio: hsmMs / fileMs, perBatchMs: { file: fileMs / batches, hsm: hsmMs / batches },
    };
  } finally {
    if (isDeviceKey(device.key)) (device.key as PersistentDeviceKey).close();
  }
}
