// How decimal fields are written. In JSON (API, database, canonical JSON, hash) they are plain numbers
// holding at most 2 decimals (the validator refuses more), written the JSON.stringify way: 2.34, 85, 0.2.
// In XML (§6: "decimals with a dot") coefficient fields are written with exactly 2 decimals, as on salary
// decisions ("hệ số 2,34" → `2.34`, `0.20`); measures and percentages (ChieuCao, CanNang, PhanTramHuong,
// PhuCapThamNienVuotKhung) with the fewest digits (`165`, `55.5`, `85`). Never an exponent or a comma.

import { GatewayError } from '../errors.ts';

/** Salary and allowance coefficients (hệ số), written with exactly two decimals in XML. */
export const COEFFICIENT_FIELDS: ReadonlySet<string> = new Set(['HeSoLuong', 'PhuCapChucVu']);

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** XML text of a decimal field: `field` decides between fixed 2 decimals and the shortest form. */
export function formatDecimal(value: number, field?: string): string {
  if (!Number.isFinite(value)) throw new GatewayError('INVALID_VALUE', { field, reason: 'NOT_FINITE' });
  const rounded = value.toFixed(2);
  if (field !== undefined && COEFFICIENT_FIELDS.has(field)) return rounded === '-0.00' ? '0.00' : rounded;
  const shortest = String(Number(rounded));
  return shortest === '-0' ? '0' : shortest;
}

/** A decimal read from XML (`2.34`, `85`); throws INVALID_VALUE for anything else (`2,34`, `1e2`, ``). */
export function parseDecimal(text: string, field?: string): number {
  const t = text.trim();
  if (!DECIMAL_TEXT.test(t)) throw new GatewayError('INVALID_VALUE', { field, reason: 'DECIMAL_TEXT' });
  return Number(t);
}
