import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import { COEFFICIENT_FIELDS, formatDecimal, parseDecimal } from '../../../src/domain/decimal-text.ts';

describe('formatDecimal', () => {
  it.each([
    [2.34, 'HeSoLuong', '2.34'],
    [4.4, 'HeSoLuong', '4.40'],
    [3, 'HeSoLuong', '3.00'],
    [0.2, 'PhuCapChucVu', '0.20'],
    [3.0300000000000002, 'HeSoLuong', '3.03'],
    [85, 'PhanTramHuong', '85'],
    [5, 'PhuCapThamNienVuotKhung', '5'],
    [165, 'ChieuCao', '165'],
    [55.5, 'CanNang', '55.5'],
    [55.25, 'CanNang', '55.25'],
    [0, 'CanNang', '0'],
    [-0, 'HeSoLuong', '0.00'],
    [7.1, undefined, '7.1'],
  ])('%d as %s → %s', (value, field, text) => {
    expect(formatDecimal(value, field)).toBe(text);
  });

  it('coefficient fields are the salary and position coefficients', () => {
    expect([...COEFFICIENT_FIELDS]).toEqual(['HeSoLuong', 'PhuCapChucVu']);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY]])('refuses %d', (v) => {
    expect(() => formatDecimal(v, 'HeSoLuong')).toThrow();
  });
});

describe('parseDecimal', () => {
  it.each([
    ['2.34', 2.34],
    ['4.40', 4.4],
    ['85', 85],
    [' 55.5 ', 55.5],
    ['0.20', 0.2],
  ])('%j → %d', (text, value) => {
    expect(parseDecimal(text)).toBe(value);
  });

  it.each(['2,34', '1e2', '', '.5', '5.', '0x10', 'hai', '+1'])('refuses %j with INVALID_VALUE', (text) => {
    try {
      parseDecimal(text, 'HeSoLuong');
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, 'INVALID_VALUE')).toBe(true);
      expect((err as { details: unknown }).details).toEqual({ field: 'HeSoLuong', reason: 'DECIMAL_TEXT' });
    }
  });

  it('round-trips with formatDecimal', () => {
    for (const v of [1, 2.34, 4.98, 6.2, 10, 0.7, 100, 55.5]) {
      for (const f of ['HeSoLuong', 'CanNang']) expect(parseDecimal(formatDecimal(v, f))).toBe(v);
    }
  });
});
