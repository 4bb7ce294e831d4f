// The clock seam is a rule, not a habit: production code reads the time only through src/clock.ts.
// This test walks src/ and fails on every wall-clock read elsewhere, with the file and line to fix.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixedClock, steppedClock, systemClock, systemMs } from '../../src/clock.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SRC = join(ROOT, 'src');
const SEAM = 'src/clock.ts';
// Code that never runs in the gateway's process: the browser console reads the user's clock (and only
// to show it), and the generated Prisma client is not ours.
const OUTSIDE = ['src/generated/', 'src/console/public/'];

/** `Date.now` (called or passed), `new Date()` and `new Date` without arguments. */
const WALL_CLOCK = /\bDate\.now\b|\bnew Date\s*\(\s*\)|\bnew Date\b(?!\s*\()/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** Lines of `text` that read the wall clock, comments left out. */
export function wallClockReads(text: string): number[] {
  const found: number[] = [];
  let inBlock = false;
  text.split('\n').forEach((raw, i) => {
    let line = raw;
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end < 0) return;
      line = line.slice(end + 2);
      inBlock = false;
    }
    line = line.replace(/\/\*.*?\*\//g, '');
    const open = line.indexOf('/*');
    if (open >= 0) { inBlock = true; line = line.slice(0, open); }
    const comment = line.indexOf('//');
    if (comment >= 0 && !/['"`][^'"`]*\/\//.test(line.slice(0, comment + 2))) line = line.slice(0, comment);
    if (WALL_CLOCK.test(line)) found.push(i + 1);
  });
  return found;
}

describe('the clock seam', () => {
  it('no file of src/ but src/clock.ts reads the wall clock', () => {
    const offenders = sources(SRC)
      .map((file) => relative(ROOT, file).split('\\').join('/'))
      .filter((file) => file !== SEAM && !OUTSIDE.some((prefix) => file.startsWith(prefix)))
      .flatMap((file) => wallClockReads(readFileSync(join(ROOT, file), 'utf8')).map((line) => `${file}:${line}`));
    expect(offenders, 'read the time through a Clock (src/clock.ts) passed as a dependency').toEqual([]);
  });

  it('the detector finds the forms it must and ignores comments and dated constructions', () => {
    expect(wallClockReads('const a = Date.now();')).toEqual([1]);
    expect(wallClockReads('const f = o.now ?? Date.now;')).toEqual([1]);
    expect(wallClockReads('x = new Date();\ny = new Date( );')).toEqual([1, 2]);
    expect(wallClockReads('const d = new Date;')).toEqual([1]);
    expect(wallClockReads("new Date('2027-01-01T00:00:00Z'); new Date(ms);")).toEqual([]);
    expect(wallClockReads('// Date.now() is forbidden\n/* new Date() */\n/**\n * new Date()\n */')).toEqual([]);
    expect(wallClockReads("const url = 'http://x'; const t = Date.now();")).toEqual([1]);
  });

  it('fixed and stepped clocks answer what tests set; the system clock moves', () => {
    const fixed = fixedClock('2027-02-28T16:59:00Z');
    expect(fixed.now().toISOString()).toBe('2027-02-28T16:59:00.000Z');
    fixed.now().setFullYear(2000); // a caller mutating its Date cannot move the clock
    expect(fixed.now().toISOString()).toBe('2027-02-28T16:59:00.000Z');
    const stepped = steppedClock('2026-12-31T16:30:00Z');
    stepped.advance(60_000);
    expect(stepped.now().toISOString()).toBe('2026-12-31T16:31:00.000Z');
    stepped.set('2028-02-29T00:00:00Z');
    expect(stepped.now().toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(() => fixedClock('not a date')).toThrow(RangeError);
    expect(() => steppedClock('2027-13-45')).toThrow(RangeError);
    expect(Math.abs(systemMs() - systemClock.now().getTime())).toBeLessThan(60_000);
  });
});
