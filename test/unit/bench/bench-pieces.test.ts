// The pieces the benchmark and its performance fixes rely on: the batch document written from records
// written beforehand is byte-identical to the streaming writer's (and fails the same way); the reference
// pipeline's plain XML is byte-identical to the gateway's; the load generator's percentile; the CPU
// profile reader.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import {
  batchEntryElementXml, buildBatchDocument, buildBatchDocumentFromWritten, type BatchEntry,
} from '../../../src/exchange/xml/batch-document.ts';
import { createRng, generateProfile } from '../../../src/seed/demo-profiles.ts';
import { referenceRecordXml } from '../../../src/bench/reference-xml.ts';
import { percentile } from '../../../src/bench/load-generator.ts';
import { topFrames } from '../../../src/bench/cpu-profile.ts';
import { deepRecord, header, minimalRecord } from '../exchange/xml/fixtures.ts';

const entries = (n: number): BatchEntry[] =>
  Array.from({ length: n }, (_, i) => ({ thaoTac: i % 3 === 0 ? 'THEM_MOI' : 'CAP_NHAT', phienBan: i + 1, hoSo: i % 4 === 0 ? minimalRecord(i) : deepRecord(i) }));
const written = (list: BatchEntry[]) => list.map((e) => ({ thaoTac: e.thaoTac, phienBan: e.phienBan, xml: batchEntryElementXml(e) }));

function codeOf(fn: () => unknown): { code: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('batch document from written records', () => {
  it('is byte-identical to buildBatchDocument, with and without the byte counts', () => {
    for (const n of [0, 1, 7, 300]) {
      const list = entries(n);
      const expected = buildBatchDocument(header(n), list);
      expect(buildBatchDocumentFromWritten(header(n), written(list)).equals(expected)).toBe(true);
      const sized = written(list).map((w) => ({ ...w, bytes: Buffer.byteLength(w.xml) }));
      expect(buildBatchDocumentFromWritten(header(n), sized).equals(expected)).toBe(true);
    }
  });

  it('fails as buildBatchDocument fails: count, header, thaoTac, phienBan', () => {
    const list = entries(3);
    const same = (h: ReturnType<typeof header>, l: BatchEntry[]) =>
      expect(codeOf(() => buildBatchDocumentFromWritten(h, written(l)))).toEqual(codeOf(() => buildBatchDocument(h, l)));
    same(header(4), list);
    same({ ...header(3), batchId: 'bad id' }, list);
    same(header(3), [list[0]!, { ...list[1]!, thaoTac: 'XOA' as never }, list[2]!]);
    same(header(3), [list[0]!, list[1]!, { ...list[2]!, phienBan: 0 }]);
  });
});

describe('reference pipeline XML', () => {
  it('writes the same bytes as the gateway for generated deep profiles', () => {
    const rng = createRng(7);
    for (let i = 0; i < 200; i++) {
      const person = generateProfile(rng, { agencyCode: 'H55.05.01', category: 'VIEN_CHUC', today: '2026-11-24', serial: i });
      const approvals = [
        { level: 'CO_QUAN', agencyCode: 'H55.05.01', signingTime: '2026-11-26T03:00:00.000Z', signerSerial: '0A', manifestSha256: 'a'.repeat(64) },
        { level: 'SO_NOI_VU', agencyCode: 'H55.19', signingTime: '2026-11-27T03:00:00.000Z', signerSerial: '0B', manifestSha256: 'b'.repeat(64) },
      ];
      const gateway = batchEntryElementXml({ thaoTac: 'THEM_MOI', phienBan: 2, hoSo: {
        SoDinhDanh: person.personalId, MaDonViQuanLy: 'H55.05', MaDonViSuDung: 'H55.05.01', PhanLoai: person.category, TrangThai: person.status,
        SoYeuLyLich: person.SoYeuLyLich,
        PheDuyet: approvals.map((a) => ({ Cap: a.level as 'CO_QUAN', MaDonVi: a.agencyCode, ThoiGian: a.level === 'CO_QUAN' ? '2026-11-26T10:00:00+07:00' : '2026-11-27T10:00:00+07:00',
          SoHieuChungThu: a.signerSerial, MaBamBienBan: a.manifestSha256 })),
      } });
      const reference = referenceRecordXml({ id: 'x', personalId: person.personalId, kind: 'THEM_MOI', category: person.category, status: person.status,
        managingAgencyCode: 'H55.05', employingAgencyCode: 'H55.05.01', effectiveDate: null, profile: person.SoYeuLyLich, targetVersion: 2, approvals });
      expect(reference).toBe(gateway);
    }
  });
});

describe('bench helpers', () => {
  it('percentile is the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([], 99)).toBeNaN();
  });

  it('reads the self time of a .cpuprofile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpuprofile-'));
    const file = join(dir, 'x.cpuprofile');
    writeFileSync(file, JSON.stringify({
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
        { id: 2, callFrame: { functionName: 'hot', url: 'file:///app/src/a.ts', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: 'cold', url: 'file:///app/src/b.ts', lineNumber: 0 } },
      ],
      startTime: 0, endTime: 4000, samples: [2, 2, 2, 3], timeDeltas: [1000, 1000, 1000, 1000],
    }));
    const { totalMs, frames } = topFrames(file, 5);
    expect(totalMs).toBe(4);
    expect(frames[0]).toMatchObject({ name: 'hot', where: 'src/a.ts:10', selfMs: 3, share: 0.75 });
  });
});
