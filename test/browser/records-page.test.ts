// The console's "Hồ sơ" page in Debian's headless Chromium: a Sở Nội vụ operator dry-runs the sample
// legacy workbook (the counts appear, the report downloads), then prints a person's signed CV (a PDF
// downloads). A missing /usr/bin/chromium fails the test, never skips it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/app.ts';
import { getTestPki } from '../support/pki.ts';
import { seedProvince } from '../../src/commands/seed.ts';
import { SEED_TODAY } from '../support/database.ts';

const CHROMIUM = '/usr/bin/chromium';
let t: TestApp;
let browser: Browser;
let address: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Debian's Chromium is missing at ${CHROMIUM}`);
  const pki = await getTestPki();
  // The test PKI is dated from today: sign a minute from now.
  const clock = new Date(Date.now() + 60_000);
  t = await createTestApp({}, {
    clock: { now: () => clock },
    signing: { trustAnchors: pki.trustAnchors, intermediates: [], crls: [], orgSigner: pki.identity('org-signer'), sessionMinutes: 30 },
  });
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 5, seed: 2 });
  address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the console’s Hồ sơ page', () => {
  it('dry-runs a legacy file and prints a signed CV', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${address}/console/`);
    await page.locator('#token').fill(await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv' }));
    await page.locator('#sign-in').click();
    await page.locator('#nav a', { hasText: 'Hồ sơ' }).click();

    await page.locator('[data-testid=import-file]').setInputFiles('samples/legacy-import.xlsx');
    await page.locator('[data-testid=import-dry]').click();
    const counts = page.locator('[data-testid=import-counts]');
    await counts.waitFor({ timeout: 30_000 });
    expect((await counts.locator('td').allTextContents()).map((s) => s.trim())).toEqual(['12', '10', '2', '0', '0']);
    const [report] = await Promise.all([page.waitForEvent('download'), page.getByText('Tải báo cáo kết quả').click()]);
    expect(report.suggestedFilename()).toBe('legacy-import.ket-qua.xlsx');
    expect(await t.database.db.prisma.person.count()).toBe(5);

    const person = await t.database.db.prisma.person.findFirstOrThrow();
    await page.locator('[data-testid=cv-id]').fill(person.personalId);
    const [cv] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.locator('[data-testid=cv-print]').click()]);
    expect(cv.suggestedFilename()).toBe(`so-yeu-ly-lich-${person.personalId}.pdf`);
    expect((await readFile((await cv.path())!)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(errors).toEqual([]);
    await page.screenshot({ path: '/tmp/csdl-console-ho-so.png', fullPage: true });
  }, 90_000);
});
