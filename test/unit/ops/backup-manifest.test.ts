// The manifest rules: file names, parsing that says why a manifest is unusable, and the comparison
// that decides whether a restore is faithful.
import { describe, expect, it } from 'vitest';
import {
  MANIFEST_FORMAT, backupFileName, compareFacts, describeMismatch, parseBackupFileName, parseManifest, type DatabaseFacts,
} from '../../../src/domain/backup-manifest.ts';

const facts: DatabaseFacts = { schemaVersion: ['0001_init', '0002_x'], rowCounts: { person: 3, audit_log: 2 }, auditHead: { seq: '2', hash: 'b'.repeat(64) } };
const intact = { ok: true, lastHash: 'b'.repeat(64) };

describe('backup file names', () => {
  it('carry kind and UTC instant and parse back', () => {
    const at = new Date('2026-11-30T13:00:05.123Z');
    expect(backupFileName('monthly', at)).toBe('csdl-gateway-monthly-20261130T130005Z.dump');
    expect(parseBackupFileName('csdl-gateway-monthly-20261130T130005Z.dump')).toEqual({ kind: 'monthly', at: new Date('2026-11-30T13:00:05Z') });
    expect(parseBackupFileName('csdl-gateway-frequent-20261130T130005Z-2.dump')?.kind).toBe('frequent');
  });
  it('ignore other files', () => {
    for (const name of ['notes.txt', 'csdl-gateway-monthly-20261130T130005Z.dump.manifest.json', 'csdl-gateway-weekly-20261130T130005Z.dump',
      'csdl-gateway-monthly-20261130T130005Z.dump.partial']) expect(parseBackupFileName(name)).toBeNull();
  });
});

describe('parseManifest', () => {
  const good = { format: MANIFEST_FORMAT, kind: 'manual', createdAt: '2026-11-30T13:00:00.000Z', database: 'd', dumpFile: 'x.dump', dumpBytes: 10,
    dumpSha256: 'a'.repeat(64), tool: 'pg_dump 15', ...facts };
  it('accepts a complete manifest', () => {
    expect(parseManifest(JSON.stringify(good))).toEqual({ ok: true, manifest: good });
  });
  it.each([
    ['not json', '{', 'not-json'],
    ['another format', JSON.stringify({ ...good, format: 'x' }), 'unknown-format'],
    ['a bad checksum', JSON.stringify({ ...good, dumpSha256: 'zz' }), 'dumpSha256'],
    ['a negative count', JSON.stringify({ ...good, rowCounts: { person: -1 } }), 'rowCounts'],
    ['an unknown kind', JSON.stringify({ ...good, kind: 'weekly' }), 'kind'],
    ['a broken audit head', JSON.stringify({ ...good, auditHead: { seq: 1 } }), 'auditHead'],
  ])('refuses %s', (_name, text, reason) => {
    expect(parseManifest(text)).toEqual({ ok: false, reason });
  });
});

describe('compareFacts', () => {
  it('finds nothing when the restored copy is the same', () => {
    expect(compareFacts(facts, structuredClone(facts), intact)).toEqual([]);
  });
  it('names a schema difference, changed, missing and extra tables', () => {
    const restored: DatabaseFacts = { schemaVersion: ['0001_init'], rowCounts: { person: 2, extra: 0 }, auditHead: facts.auditHead };
    expect(compareFacts(facts, restored, intact)).toEqual([
      { what: 'schema-version', expected: '0001_init,0002_x', actual: '0001_init' },
      { what: 'row-count', table: 'audit_log', expected: 2, actual: null },
      { what: 'row-count', table: 'extra', expected: null, actual: 0 },
      { what: 'row-count', table: 'person', expected: 3, actual: 2 },
    ]);
  });
  it('names a different audit head and a broken chain', () => {
    const restored = { ...facts, auditHead: { seq: '1', hash: 'c'.repeat(64) } };
    expect(compareFacts(facts, restored, { ok: false, lastHash: '', brokenAt: { seq: '1', reason: 'HASH' } })).toEqual([
      { what: 'audit-head', expected: `2:${'b'.repeat(64)}`, actual: `1:${'c'.repeat(64)}` },
      { what: 'audit-chain', brokenAtSeq: '1', reason: 'HASH' },
    ]);
  });
  it('catches a chain that recomputes to another head', () => {
    expect(compareFacts(facts, facts, { ok: true, lastHash: 'd'.repeat(64) })).toEqual([{ what: 'audit-head', expected: 'b'.repeat(64), actual: 'd'.repeat(64) }]);
  });
  it('describes each mismatch in Vietnamese', () => {
    expect(describeMismatch({ what: 'row-count', table: 'person', expected: 3, actual: null })).toBe('bảng person: manifest 3 dòng, bản khôi phục không có dòng');
    expect(describeMismatch({ what: 'audit-chain', brokenAtSeq: '7', reason: 'HASH' })).toContain('bị đứt tại dòng 7');
  });
});
