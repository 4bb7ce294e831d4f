// The one text rule and the structural limits of the boundary (src/domain/text-rule.ts): every fault
// named, table-driven and property-based, and nesting refused without recursion.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { acceptInput, acceptText, textFault, type InputLimits } from '../../../src/domain/text-rule.ts';
import { isGatewayError } from '../../../src/errors.ts';

const limits: InputLimits = { maxDepth: 32, maxKeys: 1_000, maxItems: 50_000, maxTextLength: 10_000, unboundedKeys: new Set(['contentBase64']) };

function refusal(fn: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: err.details as Record<string, unknown> };
    throw err;
  }
  throw new Error('accepted');
}

describe('textFault', () => {
  it.each([
    ['NUL', 'Lý do\u0000trả lại', 'CONTROL_CHARACTER'],
    ['ESC', '\u001b[31mđỏ', 'CONTROL_CHARACTER'],
    ['DEL', 'a\u007f', 'CONTROL_CHARACTER'],
    ['C1 control', 'a\u0085b', 'CONTROL_CHARACTER'],
    ['lone high surrogate', 'Nguyễn \uD83D', 'LONE_SURROGATE'],
    ['lone low surrogate', '\uDE00 An', 'LONE_SURROGATE'],
    ['right-to-left override', 'hoadon\u202Efdp.exe', 'BIDI_CONTROL'],
    ['left-to-right isolate', '\u2066x\u2069', 'BIDI_CONTROL'],
    ['noncharacter', 'x\uFFFF', 'NONCHARACTER'],
    ['100 KB', 'a'.repeat(100_000), 'TOO_LONG'],
  ])('refuses %s', (_what, text, fault) => {
    expect(textFault(text, 10_000)).toBe(fault);
    expect(refusal(() => acceptText(text, 10_000, '/reason'))).toMatchObject({ code: 'TEXT_INVALID', details: { path: '/reason', reason: fault } });
  });

  it.each([
    ['Vietnamese', 'Nguyễn Thị Ánh Tuyết'],
    ['tab, line feed, carriage return', 'dòng 1\r\n\tdòng 2'],
    ['a surrogate pair (emoji)', 'Đã duyệt 👍'],
    ['the LRM mark', 'a\u200Eb'],
    ['exactly the limit', 'a'.repeat(10_000)],
  ])('accepts %s', (_what, text) => {
    expect(textFault(text, 10_000)).toBeUndefined();
    expect(acceptText(text, 10_000)).toBe(text.normalize('NFC'));
  });

  it('stores NFC: Vietnamese typed as NFD comes out NFC, and the limit counts the NFC text', () => {
    const nfd = 'Nguyễn Văn Đức'.normalize('NFD');
    expect(nfd).not.toBe('Nguyễn Văn Đức');
    expect(acceptText(nfd, 100)).toBe('Nguyễn Văn Đức');
    expect(acceptText('ễ'.normalize('NFD').repeat(10), 10)).toHaveLength(10);
  });

  it('refuses any string with a forbidden character inserted anywhere (property)', () => {
    const bad = fc.constantFrom('\u0000', '\u0007', '\u001f', '\u007f', '\u009b', '\uD800', '\uDFFF', '\u202A', '\u202E', '\u2067', '\uFFFE');
    fc.assert(fc.property(fc.string({ maxLength: 50 }), bad, fc.string({ maxLength: 50 }), (before, c, after) => {
      // A low surrogate right after a high one (or the reverse) would pair up: keep the insertion lone.
      const text = `${before.replace(/[\uD800-\uDFFF]/gu, '')}${c}${after.replace(/[\uD800-\uDFFF]/gu, '')}`;
      expect(refusal(() => acceptText(text, 10_000)).code).toBe('TEXT_INVALID');
    }));
  });

  it('accepts any well-formed printable text (property)', () => {
    const printable = fc.string({ unit: fc.constantFrom(...'aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẢÃẠàáảãạỳýỷỹỵ 0123456789.,;:-()/'), maxLength: 200 });
    fc.assert(fc.property(printable, (text) => {
      expect(acceptText(text, 10_000)).toBe(text.normalize('NFC'));
    }));
  });

  it('cuts a hostile path short and makes it printable in the answer', () => {
    const key = `\u202E${'k'.repeat(500)}`;
    const { details } = refusal(() => acceptInput({ [key]: 'x' }, limits));
    expect(String(details.path).length).toBeLessThanOrEqual(121);
    expect(String(details.path)).not.toMatch(/\u202E/u);
  });
});

describe('acceptInput', () => {
  function nested(depth: number): unknown {
    let value: unknown = 'đáy';
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
    return value;
  }

  it('refuses a body nested 5,000 levels deep (20 KB of JSON) without overflowing the stack', () => {
    const text = `${'{"a":['.repeat(2_500)}1${']}'.repeat(2_500)}`;
    expect(text.length).toBe(20_001);
    expect(refusal(() => acceptInput(JSON.parse(text), limits))).toMatchObject({ code: 'INPUT_TOO_COMPLEX', details: { limit: 'DEPTH', max: 32 } });
    expect(refusal(() => acceptInput(nested(5_000), limits))).toMatchObject({ code: 'INPUT_TOO_COMPLEX', details: { limit: 'DEPTH', max: 32 } });
    expect(refusal(() => acceptInput(nested(33), limits))).toMatchObject({ code: 'INPUT_TOO_COMPLEX', details: { limit: 'DEPTH' } });
    expect(() => acceptInput(nested(31), limits)).not.toThrow();
  });

  it('refuses too many keys and too many items', () => {
    const wide = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i]));
    expect(refusal(() => acceptInput(wide, limits))).toMatchObject({ code: 'INPUT_TOO_COMPLEX', details: { limit: 'KEYS', path: '/' } });
    expect(refusal(() => acceptInput({ list: new Array(50_001).fill(0) }, limits))).toMatchObject({ code: 'INPUT_TOO_COMPLEX', details: { limit: 'ITEMS', path: '/list' } });
  });

  it('checks every string and key at any depth, naming its JSON pointer', () => {
    expect(refusal(() => acceptInput({ profile: { QuaTrinh: [{ NoiDung: 'ok' }, { NoiDung: 'x\u0000' }] } }, limits)))
      .toMatchObject({ code: 'TEXT_INVALID', details: { path: '/profile/QuaTrinh/1/NoiDung', reason: 'CONTROL_CHARACTER' } });
    expect(refusal(() => acceptInput({ ['a\u202Eb']: 1 }, limits))).toMatchObject({ details: { reason: 'BIDI_CONTROL' } });
    expect(refusal(() => acceptInput({ list: ['ok', '\uD800'] }, limits))).toMatchObject({ details: { path: '/list/1', reason: 'LONE_SURROGATE' } });
    expect(refusal(() => acceptInput({ 'a/b~c': '\u0000' }, limits))).toMatchObject({ details: { path: '/a~1b~0c' } });
  });

  it('rewrites strings and keys to NFC in place, and leaves base64 fields unbounded in length', () => {
    const body = { ['Họ tên'.normalize('NFD')]: 'Đặng Thị Ngọc'.normalize('NFD'), contentBase64: 'A'.repeat(50_000) };
    acceptInput(body, limits);
    expect(body).toEqual({ 'Họ tên': 'Đặng Thị Ngọc', contentBase64: 'A'.repeat(50_000) });
    expect(refusal(() => acceptInput({ reason: 'A'.repeat(10_001) }, limits))).toMatchObject({ details: { reason: 'TOO_LONG', path: '/reason' } });
  });
});
