import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import {
  agencyAncestors,
  agencyLevel,
  canonicalAgencyCode,
  checkAgencyCode,
  isCanonicalAgencyCode,
  isWithinSubtree,
  level1Code,
  parentAgencyCode,
  resolveActiveAgencyCode,
  type AgencyClosure,
} from '../../../src/domain/agency-code.ts';

function thrown(fn: () => unknown): { code: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('checkAgencyCode: canonical form', () => {
  it.each([
    'H55', 'G09', 'K01', 'H55.19', 'H55.19.05', 'H55.19.05.001', 'H55.AB', 'H55.A1.B2C', 'G09.20',
    'H55.19.05.01.02.03.04.05.06.07.08', // 35 characters
  ])('accepts %s unchanged', (code) => {
    expect(checkAgencyCode(code)).toEqual({ ok: true, code, legacy: false });
    expect(isCanonicalAgencyCode(code)).toBe(true);
    expect(canonicalAgencyCode(code)).toBe(code);
  });

  it.each([
    [undefined, 'NOT_STRING'],
    [55, 'NOT_STRING'],
    ['', 'EMPTY'],
    ['H55.19.05.01.02.03.04.05.06.07.08.09', 'TOO_LONG'],
    ['h55.19', 'LOWERCASE'],
    ['H55.ab', 'LOWERCASE'],
    ['H55 19', 'CHARSET'],
    ['H55-19', 'CHARSET'],
    ['H55.Đ1', 'CHARSET'],
    ['H55..19', 'EMPTY_GROUP'],
    ['.H55', 'EMPTY_GROUP'],
    ['H55.', 'EMPTY_GROUP'],
    ['X55', 'LEVEL1'],
    ['H5', 'LEVEL1'],
    ['H555', 'LEVEL1'],
    ['H00', 'LEVEL1'],
    ['HA5', 'LEVEL1'],
    ['19.H55', 'LEVEL1'],
    ['H55.1', 'GROUP'],
    ['H55.1234', 'GROUP'],
    ['H55.00', 'ZERO_GROUP'],
    ['H55.19.000', 'ZERO_GROUP'],
  ])('refuses %j with reason %s', (code, reason) => {
    expect(checkAgencyCode(code)).toEqual({ ok: false, reason });
    expect(thrown(() => canonicalAgencyCode(code))).toEqual({ code: 'INVALID_AGENCY_CODE', details: { code, reason } });
    expect(isCanonicalAgencyCode(code)).toBe(false);
  });
});

describe('checkAgencyCode: QCVN 102:2016 form', () => {
  it.each([
    ['000.00.00.H55', 'H55'],
    ['000.00.19.H55', 'H55.19'],
    ['000.01.19.H55', 'H55.19.01'],
    ['001.01.19.H55', 'H55.19.01.001'],
    ['000.00.20.G09', 'G09.20'],
  ])('%s → %s', (legacy, canonical) => {
    expect(checkAgencyCode(legacy)).toEqual({ ok: true, code: canonical, legacy: true });
    expect(canonicalAgencyCode(legacy)).toBe(canonical);
    expect(isCanonicalAgencyCode(legacy)).toBe(false);
  });

  it.each([
    ['000.19.00.H55', 'LEGACY_GAP'],
    ['001.00.19.H55', 'LEGACY_GAP'],
    ['000.00.00.X55', 'LEVEL1'],
    ['000.00.00.H00', 'LEVEL1'],
    ['000.00.00.h55', 'LOWERCASE'],
  ])('refuses %s (%s)', (legacy, reason) => {
    expect(checkAgencyCode(legacy)).toEqual({ ok: false, reason });
  });
});

describe('tree helpers', () => {
  it.each([
    ['H55', 1, 'H55', null, []],
    ['H55.19', 2, 'H55', 'H55', ['H55']],
    ['H55.19.05', 3, 'H55', 'H55.19', ['H55', 'H55.19']],
    ['000.01.19.H55', 3, 'H55', 'H55.19', ['H55', 'H55.19']],
  ] as const)('%s: level %i, level 1 %s, parent %s', (code, level, l1, parent, ancestors) => {
    expect(agencyLevel(code)).toBe(level);
    expect(level1Code(code)).toBe(l1);
    expect(parentAgencyCode(code)).toBe(parent);
    expect(agencyAncestors(code)).toEqual(ancestors);
  });

  it('the helpers refuse invalid codes', () => {
    for (const fn of [agencyLevel, level1Code, parentAgencyCode, agencyAncestors]) {
      expect(thrown(() => fn('h55')).code).toBe('INVALID_AGENCY_CODE');
    }
  });

  it.each([
    ['H55.19.05', 'H55', true],
    ['H55.19.05', 'H55.19', true],
    ['H55.19.05', 'H55.19.05', true],
    ['H55.19', 'H55.19.05', false],
    ['H55.190', 'H55.19', false], // a prefix of characters is not a prefix of groups
    ['H56.19', 'H55', false],
    ['000.05.19.H55', 'H55.19', true],
    ['H55.19.05', '000.00.19.H55', true],
  ] as const)('isWithinSubtree(%s, %s) = %s', (code, root, expected) => {
    expect(isWithinSubtree(code, root)).toBe(expected);
  });
});

describe('resolveActiveAgencyCode', () => {
  const closures: AgencyClosure[] = [
    { code: 'H55.19', closedOn: '2025-07-01', successorCode: 'H55.20' },
    { code: 'H55.20', closedOn: '2026-01-01', successorCode: 'H55.31' },
    { code: 'H55.40', closedOn: '2025-07-01', successorCode: null },
  ];

  it.each([
    ['H55.19', '2025-06-30', 'H55.19'],
    ['H55.19', '2025-07-01', 'H55.20'],
    ['H55.19', '2025-12-31', 'H55.20'],
    ['H55.19', '2026-01-01', 'H55.31'],
    ['H55.20', '2030-01-01', 'H55.31'],
    ['H55.31', '2030-01-01', 'H55.31'],
    ['H55.50', '2030-01-01', 'H55.50'],
    ['000.00.19.H55', '2026-06-01', 'H55.31'],
    ['H55.40', '2025-06-30', 'H55.40'],
  ])('%s on %s → %s', (code, on, active) => {
    expect(resolveActiveAgencyCode(code, closures, on)).toBe(active);
  });

  it('a dissolved agency without successor: AGENCY_CLOSED', () => {
    expect(thrown(() => resolveActiveAgencyCode('H55.40', closures, '2025-07-01'))).toEqual({
      code: 'AGENCY_CLOSED',
      details: { code: 'H55.40', closedOn: '2025-07-01' },
    });
  });

  it('a cycle in the successor chain: AGENCY_IMPORT_INVALID', () => {
    const cyclic: AgencyClosure[] = [
      { code: 'H55.01', closedOn: '2025-01-01', successorCode: 'H55.02' },
      { code: 'H55.02', closedOn: '2025-01-01', successorCode: 'H55.01' },
    ];
    expect(thrown(() => resolveActiveAgencyCode('H55.01', cyclic, '2025-02-01'))).toEqual({
      code: 'AGENCY_IMPORT_INVALID',
      details: { reason: 'SUCCESSION_CYCLE', chain: ['H55.01', 'H55.02', 'H55.01'] },
    });
  });

  it('a code closed twice: AGENCY_IMPORT_INVALID', () => {
    const dup: AgencyClosure[] = [
      { code: 'H55.01', closedOn: '2025-01-01', successorCode: 'H55.02' },
      { code: '000.00.01.H55', closedOn: '2025-02-01', successorCode: 'H55.03' },
    ];
    expect(thrown(() => resolveActiveAgencyCode('H55.01', dup, '2025-02-01'))).toEqual({
      code: 'AGENCY_IMPORT_INVALID',
      details: { reason: 'DUPLICATE_CLOSURE', code: 'H55.01' },
    });
  });

  it('an invalid successor code: INVALID_AGENCY_CODE', () => {
    const bad: AgencyClosure[] = [{ code: 'H55.01', closedOn: '2025-01-01', successorCode: 'h55.02' }];
    expect(thrown(() => resolveActiveAgencyCode('H55.01', bad, '2025-02-01')).code).toBe('INVALID_AGENCY_CODE');
  });
});
