import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import {
  assertPersonalIdFormat,
  assertPersonalIdMatches,
  buildPersonalId,
  checkPersonalIdFormat,
  checkPersonalIdMatches,
  decodePersonalId,
  isPersonalId,
  maskPersonalId,
} from '../../../src/domain/personal-id.ts';

function thrown(fn: () => unknown): { code: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('checkPersonalIdFormat', () => {
  it.each([
    ['001090012345', true],
    ['096185000000', true],
    ['079303999999', true],
  ])('accepts %s', (id, ok) => {
    expect(checkPersonalIdFormat(id).ok).toBe(ok);
    expect(isPersonalId(id)).toBe(ok);
  });

  it.each([
    [12345678901, 'NOT_STRING'],
    [null, 'NOT_STRING'],
    ['', 'LENGTH'],
    ['00109001234', 'LENGTH'],
    ['0010900123456', 'LENGTH'],
    [' 01090012345', 'NOT_DIGITS'],
    ['00109001234A', 'NOT_DIGITS'],
    ['000090012345', 'PROVINCE_CODE'],
    ['097090012345', 'PROVINCE_CODE'],
    ['999090012345', 'PROVINCE_CODE'],
  ])('refuses %j with reason %s', (id, reason) => {
    expect(checkPersonalIdFormat(id)).toEqual({ ok: false, code: 'INVALID_PERSONAL_ID', reason });
  });

  it('refuses full-width digits as NOT_DIGITS', () => {
    expect(checkPersonalIdFormat('００１０９００１２３４５')).toEqual({ ok: false, code: 'INVALID_PERSONAL_ID', reason: 'NOT_DIGITS' });
  });

  it('assertPersonalIdFormat throws INVALID_PERSONAL_ID with the reason', () => {
    expect(thrown(() => assertPersonalIdFormat('12'))).toEqual({ code: 'INVALID_PERSONAL_ID', details: { field: 'SoDinhDanh', reason: 'LENGTH' } });
    expect(() => assertPersonalIdFormat('001090012345')).not.toThrow();
  });
});

describe('decodePersonalId', () => {
  it.each([
    ['001090012345', 'NAM', 1990, 1900],
    ['001190012345', 'NU', 1990, 1900],
    ['001205012345', 'NAM', 2005, 2000],
    ['001305012345', 'NU', 2005, 2000],
    ['001401012345', 'NAM', 2101, 2100],
    ['001599012345', 'NU', 2199, 2100],
    ['001600012345', 'NAM', 2200, 2200],
    ['001700012345', 'NU', 2200, 2200],
    ['001899012345', 'NAM', 1899, 1800],
    ['001999012345', 'NU', 1899, 1800],
  ])('%s → %s born %i', (id, gender, birthYear, centuryStart) => {
    expect(decodePersonalId(id)).toEqual({ provinceCode: '001', gender, birthYear, centuryStart });
  });
});

describe('checkPersonalIdMatches', () => {
  it.each([
    ['001090012345', '1990-05-01', 'NAM'],
    ['038185000001', '1985-12-31', 'NU'],
    ['079200000001', '2000-01-01', 'NAM'],
    ['079899000001', '1899-06-15', 'NAM'],
  ])('%s agrees with %s %s', (id, dob, gender) => {
    expect(checkPersonalIdMatches(id, dob, gender)).toEqual({ ok: true });
    expect(() => assertPersonalIdMatches(id, dob, gender)).not.toThrow();
  });

  it.each([
    // id, dob, gender, code, reason
    ['0010900123', '1990-05-01', 'NAM', 'INVALID_PERSONAL_ID', 'LENGTH'],
    ['001090012345', '2090-05-01', 'NAM', 'PERSONAL_ID_MISMATCH', 'CENTURY'],
    ['001290012345', '1990-05-01', 'NAM', 'PERSONAL_ID_MISMATCH', 'CENTURY'],
    ['001090012345', '1990-05-01', 'NU', 'PERSONAL_ID_MISMATCH', 'GENDER'],
    ['001190012345', '1990-05-01', 'NAM', 'PERSONAL_ID_MISMATCH', 'GENDER'],
    ['001091012345', '1990-05-01', 'NAM', 'PERSONAL_ID_MISMATCH', 'BIRTH_YEAR'],
    ['001090012345', '1990-02-30', 'NAM', 'INVALID_VALUE', 'BIRTH_DATE'],
    ['001090012345', '01/05/1990', 'NAM', 'INVALID_VALUE', 'BIRTH_DATE'],
    ['001090012345', undefined, 'NAM', 'INVALID_VALUE', 'BIRTH_DATE'],
    ['001090012345', '1990-05-01', 'nam', 'INVALID_VALUE', 'GENDER_VALUE'],
  ])('%s vs %s %s → %s %s', (id, dob, gender, code, reason) => {
    expect(checkPersonalIdMatches(id, dob, gender)).toEqual({ ok: false, code, reason });
    expect(thrown(() => assertPersonalIdMatches(id, dob, gender))).toEqual({ code, details: { field: 'SoDinhDanh', reason } });
  });
});

describe('maskPersonalId', () => {
  it.each([
    ['001090012389', '001*******89'],
    ['12345678', '123***78'],
    ['1234567', '*******'],
    ['', '***'],
    [undefined, '***'],
    [42, '***'],
  ])('%j → %s', (input, masked) => {
    expect(maskPersonalId(input)).toBe(masked);
  });
});

describe('buildPersonalId', () => {
  it.each([
    [{ provinceCode: 1, birthDate: '1990-05-01', gender: 'NAM', random6: 12345 }, '001090012345'],
    [{ provinceCode: '038', birthDate: '1985-01-01', gender: 'NU', random6: '000001' }, '038185000001'],
    [{ provinceCode: 79, birthDate: '2003-01-01', gender: 'NU', random6: 999999 }, '079303999999'],
    [{ provinceCode: 96, birthDate: '1899-12-31', gender: 'NU', random6: 0 }, '096999000000'],
  ] as const)('%j → %s', (parts, id) => {
    expect(buildPersonalId(parts)).toBe(id);
    expect(checkPersonalIdMatches(id, parts.birthDate, parts.gender)).toEqual({ ok: true });
  });

  it.each([
    [{ provinceCode: 0, birthDate: '1990-05-01', gender: 'NAM', random6: 1 }, 'PROVINCE_CODE'],
    [{ provinceCode: 97, birthDate: '1990-05-01', gender: 'NAM', random6: 1 }, 'PROVINCE_CODE'],
    [{ provinceCode: 1, birthDate: '1990-13-01', gender: 'NAM', random6: 1 }, 'BIRTH_DATE'],
    [{ provinceCode: 1, birthDate: '1799-12-31', gender: 'NAM', random6: 1 }, 'CENTURY'],
    [{ provinceCode: 1, birthDate: '2300-01-01', gender: 'NAM', random6: 1 }, 'CENTURY'],
    [{ provinceCode: 1, birthDate: '1990-05-01', gender: 'X', random6: 1 }, 'GENDER_VALUE'],
    [{ provinceCode: 1, birthDate: '1990-05-01', gender: 'NAM', random6: 1_000_000 }, 'RANDOM6'],
    [{ provinceCode: 1, birthDate: '1990-05-01', gender: 'NAM', random6: 1.5 }, 'RANDOM6'],
    [{ provinceCode: 1, birthDate: '1990-05-01', gender: 'NAM', random6: '12345' }, 'RANDOM6'],
  ])('refuses %j (%s)', (parts, reason) => {
    const err = thrown(() => buildPersonalId(parts as never));
    expect(err.code).toBe('INVALID_VALUE');
    expect(err.details).toMatchObject({ reason });
  });
});
