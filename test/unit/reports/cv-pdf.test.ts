// The printable CV: laid out on A4 with the Vietnamese text embedded (pdftotext gives the name back with
// its diacritics), signed so that pdfsig (poppler) verifies it, and a changed byte fails verification.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { createRng, generateProfile } from '../../../src/seed/demo-profiles.ts';
import { cvPdfDocument, wrapText, type CvRecord } from '../../../src/reports/cv-pdf.ts';
import { signedCvPdf } from '../../../src/reports/cv-signature.ts';
import { loadCvFonts } from '../../../src/reports/cv-fonts.ts';
import { notBefore } from '../../../src/pki/certificates.ts';

const run = promisify(execFile);
let pki: TestPki;
let dir: string;
let record: CvRecord;
const fonts = loadCvFonts();

/** pdfsig's verdict; it exits non-zero when a signature does not verify, so its output is read either way. */
async function pdfsig(file: string): Promise<string> {
  try {
    return (await run('pdfsig', ['-nocert', file])).stdout;
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

beforeAll(async () => {
  pki = await getTestPki();
  dir = await mkdtemp(join(tmpdir(), 'cv-pdf-'));
  const p = generateProfile(createRng(17), { agencyCode: 'H55.06.01', today: '2026-06-15', serial: 3, status: 'DANG_CONG_TAC' });
  record = {
    personalId: p.personalId, category: p.category, status: p.status, version: 2,
    managingAgency: { code: 'H55.06', name: 'Sở Y tế tỉnh Hưng Yên' }, employingAgency: { code: 'H55.06.01', name: 'Bệnh viện Đa khoa tỉnh' },
    profile: { ...p.SoYeuLyLich, HoTen: 'Nguyễn Thị Hồng Nhung' },
  };
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the printable CV', () => {
  it('is A4 with page numbers, and its text (Vietnamese diacritics included) comes back out', async () => {
    const doc = await cvPdfDocument(record, { fonts, created: new Date('2026-06-15T03:00:00Z') });
    const pages = doc.getPages();
    for (const page of pages) expect(page.getSize()).toEqual({ width: 595.28, height: 841.89 });
    const file = join(dir, 'plain.pdf');
    await writeFile(file, await doc.save());
    const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']);
    expect(stdout).toContain('SƠ YẾU LÝ LỊCH');
    expect(stdout).toContain('NGUYỄN THỊ HỒNG NHUNG');
    expect(stdout).toContain('Nguyễn Thị Hồng Nhung');
    expect(stdout).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(stdout).toContain(`Trang ${pages.length}/${pages.length}`);
    expect(stdout).toContain('15/06/2026');
    expect(stdout).toMatch(/Quá trình đào tạo, bồi dưỡng/);
    const fontsOut = (await run('pdffonts', [file])).stdout;
    expect(fontsOut).toMatch(/DejaVuSans/);
    const rows = fontsOut.split('\n').slice(2).filter(Boolean);
    expect(rows.length).toBe(2);
    expect(rows.every((l) => /Identity-H +yes +\S+ +yes /.test(l))).toBe(true); // embedded, with a Unicode map
  });

  it('wraps long text inside the given width', async () => {
    const doc = await PDFDocument.create();
    const { default: fontkit } = await import('@pdf-lib/fontkit');
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont(fonts.regular);
    const lines = wrapText('Số 250, đường Lý Thường Kiệt, xã Thanh Xuân, tỉnh Nam Định '.repeat(4), font, 10, 120);
    expect(lines.length).toBeGreaterThan(4);
    for (const l of lines) expect(font.widthOfTextAtSize(l, 10)).toBeLessThanOrEqual(120);
    expect(wrapText('x'.repeat(200), font, 10, 50).every((l) => font.widthOfTextAtSize(l, 10) <= 50)).toBe(true);
  });

  it('is signed so that pdfsig verifies it, and a changed byte fails', async () => {
    const signer = pki.identity('org-signer');
    const now = new Date(notBefore(signer.certificate).getTime() + 3_600_000);
    const bytes = await signedCvPdf(record, { fonts, signer, signerName: 'Sở Nội vụ tỉnh Hưng Yên', location: 'Hưng Yên', now });
    const file = join(dir, 'signed.pdf');
    await writeFile(file, bytes);
    const verdict = await pdfsig(file);
    expect(verdict).toMatch(/Signature Validation: Signature is Valid\./);
    expect(verdict).toMatch(/Signature Type: ETSI\.CAdES\.detached/);
    expect(verdict).toMatch(/Total document signed/);
    const text = (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout;
    expect(text).toContain('Nguyễn Thị Hồng Nhung');

    const tampered = Buffer.from(await readFile(file));
    const at = tampered.indexOf('/Title');
    tampered[at + 9] = tampered[at + 9]! ^ 0x01;
    await writeFile(join(dir, 'tampered.pdf'), tampered);
    expect(await pdfsig(join(dir, 'tampered.pdf'))).not.toMatch(/Signature is Valid/);
  });

  it('carries a time-stamp token when a TSA is configured (PAdES-T), and the CMS verifies over the signed byte range', async () => {
    const { createTsaHandler } = await import('../../../src/pki/tsa.ts');
    const { verifyDetached } = await import('../../../src/pki/verify-cms.ts');
    const signer = pki.identity('org-signer');
    const now = new Date(notBefore(signer.certificate).getTime() + 3_600_000);
    const tsa = createTsaHandler({ certificate: pki.certificate('tsa'), key: pki.key('tsa'), chain: [pki.certificate('intermediate-ca')], now: () => now });
    const bytes = Buffer.from(await signedCvPdf(record, { fonts, signer, signerName: 'Sở Nội vụ', location: 'Hưng Yên', now, tsa }));
    const file = join(dir, 'timestamped.pdf');
    await writeFile(file, bytes);
    expect(await pdfsig(file)).toMatch(/Signature is Valid/);
    // The byte range and the CMS, as a reader takes them out of the file.
    const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(bytes.toString('latin1'))!.slice(1).map(Number);
    const [a, b, c, d] = range as [number, number, number, number];
    const signed = Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]);
    const padded = Buffer.from(bytes.subarray(a + b + 1, c - 1).toString('latin1'), 'hex');
    // The placeholder is zero-padded: the CMS is as long as its DER header says (30 82 LL LL or 30 83 LL LL LL).
    const lengthBytes = padded[1]! & 0x7f;
    const cms = padded.subarray(0, 2 + lengthBytes + padded.subarray(2, 2 + lengthBytes).reduce((n, x) => n * 256 + x, 0));
    const result = await verifyDetached(signed, cms, { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls, now });
    expect(result.timestamp).toBeDefined();
    expect(result.signingTime.getTime()).toBe(Math.floor(now.getTime() / 1000) * 1000);
  });
});
