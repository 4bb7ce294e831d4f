// How an operator reads times and numbers: Vietnamese dates dd/mm/yyyy in Asia/Ho_Chi_Minh (UTC+07:00,
// no daylight saving), thousands separated by dots. Pure.
import { VIETNAM_UTC_OFFSET_MINUTES } from './working-days.ts';

const OFFSET_MS = VIETNAM_UTC_OFFSET_MINUTES * 60_000;
const two = (n: number) => String(n).padStart(2, '0');

/** `27/11/2026` for an instant (its local date in Vietnam) or for a local date `2026-11-27`. */
export function viDate(value: Date | string): string {
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) throw new RangeError(`viDate: not a date: ${value}`);
    return `${m[3]}/${m[2]}/${m[1]}`;
  }
  const local = new Date(value.getTime() + OFFSET_MS);
  return `${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}/${local.getUTCFullYear()}`;
}

/** `27/11/2026 08:05` (local time in Vietnam). */
export function viDateTime(instant: Date): string {
  const local = new Date(instant.getTime() + OFFSET_MS);
  return `${viDate(instant)} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`;
}

/** `12.345` */
export function viNumber(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** `1,5 MB` for a byte count. */
export function viBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1).replace('.', ',')} ${units[unit]}`;
}
