// An attachment's leading bytes must be those of its declared type.
import { describe, expect, it } from 'vitest';
import { matchesDeclaredType, signedMediaTypes } from '../../../src/domain/file-signature.ts';

const bytes = (...b: number[]) => new Uint8Array([...b, 0x00, 0x01, 0x02]);
const html = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');

describe('matchesDeclaredType', () => {
  it.each([
    ['application/pdf', new TextEncoder().encode('%PDF-1.7\n')],
    ['image/png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0)],
    ['image/tiff', bytes(0x49, 0x49, 0x2a, 0x00)],
    ['image/tiff', bytes(0x4d, 0x4d, 0x00, 0x2a)],
  ])('accepts %s with its own magic bytes', (type, content) => {
    expect(matchesDeclaredType(type, content)).toBe(true);
  });

  it('refuses HTML declared as any accepted type, and every type’s bytes under another type', () => {
    for (const type of signedMediaTypes) expect(matchesDeclaredType(type, html), type).toBe(false);
    expect(matchesDeclaredType('image/png', new TextEncoder().encode('%PDF-1.7'))).toBe(false);
    expect(matchesDeclaredType('application/pdf', bytes(0xff, 0xd8, 0xff))).toBe(false);
  });

  it('refuses empty or truncated content and a type without a known signature', () => {
    expect(matchesDeclaredType('image/png', new Uint8Array())).toBe(false);
    expect(matchesDeclaredType('image/png', new Uint8Array([0x89, 0x50, 0x4e]))).toBe(false);
    expect(matchesDeclaredType('text/html', html)).toBe(false);
  });
});
