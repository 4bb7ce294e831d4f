// The operator console in Debian's headless Chromium, against a real gateway: the API on a loopback
// port over a real test database, the national simulator, and an in-process worker. A batch is refused
// by the simulator (422 BAD_SIGNATURE, once) and ends FAILED; a Sở Nội vụ operator signs in with a
// bearer token, opens the failed batch, re-runs it and watches it be accepted. Screenshots of every page
// go to /tmp/csdl-console-*.png. A missing /usr/bin/chromium fails the test (CI installs it), never skips it.
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { buildGatewayApp, openRuntime, type Runtime } from '../../src/runtime.ts';
import { startWorker, type RunningWorker } from '../../src/commands/worker.ts';
import { seedProvince } from '../../src/commands/seed.ts';
import { issueDevToken } from '../../src/auth/dev-token.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../support/database.ts';
import { approvedChanges } from '../support/approved-changes.ts';
import { getTestPki } from '../support/pki.ts';
import { CLIENT, startTestSimulator } from '../integration/simulator/harness.ts';
import { removeKeys } from '../integration/ops/fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SHOTS = '/tmp/csdl-console';

let database: TestDatabase;
let sim: RunningSimulator;
let config: Config;
let rt: Runtime;
let app: FastifyInstance;
let worker: RunningWorker;
let browser: Browser;
let address: string;
const pageErrors: string[] = [];

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function buildBatch(token: string, period: string): Promise<string> {
  const res = await fetch(`${address}/api/v1/batches/build`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ period }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { batches: Array<{ batchId: string }> }).batches[0]!.batchId;
}

const batchState = async (batchId: string) => (await database.db.prisma.batch.findUniqueOrThrow({ where: { batchId } })).state;

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${address}/console/`);
  await page.locator('#token').fill(token);
  await page.locator('#sign-in').click();
  await page.locator('#nav a').first().waitFor();
}

// playwright-core has no assertions of its own: vitest's expect.poll retries these reads until they match.
const text = (l: Locator) => l.textContent({ timeout: 2_000 }).catch(() => '');
const attr = (l: Locator, name: string) => l.getAttribute(name, { timeout: 2_000 }).catch(() => null);
const poll = <T>(read: () => Promise<T>, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

let acceptedBatch: string;
let failedBatch: string;
let pulled: { requestId: string; personalId: string };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Debian's Chromium is missing at ${CHROMIUM}: install it with \`apt-get install chromium\` (.ci/run does) — the browser test never downloads a browser`);
  }
  database = await createTestDatabase('gw_browser');
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 40, seed: 9 });
  sim = await startTestSimulator(database.url);
  const pki = await getTestPki();
  config = loadConfig({}, {
    databaseUrl: database.url, redisUrl: REDIS_URL, queuePrefix: `browser-${randomBytes(5).toString('hex')}`, logLevel: 'silent', host: '127.0.0.1', port: 0,
    provinceCode: 'H55', senderCode: 'H55.19', authDevMode: true,
    nationalBaseUrl: sim.url, nationalTokenUrl: `${sim.url}/token`, nationalClientId: CLIENT.clientId, nationalClientSecret: CLIENT.clientSecret,
    trustAnchorFiles: [pki.path('trust-anchors.pem')], intermediateFiles: [pki.path('intermediates.pem')],
    nationalTrustAnchorFiles: [pki.path('national-trust-anchors.pem')],
    signerP12File: pki.path('org-signer.p12'), signerP12Password: pki.p12Password,
    retryBaseMs: 100, retryMaxMs: 1_000, relayIntervalMs: 200, leaseMs: 5_000, schedulesEnabled: false,
  });
  rt = openRuntime(config, createLogger('silent'));
  app = await buildGatewayApp(rt);
  address = await app.listen({ host: '127.0.0.1', port: 0 });
  worker = await startWorker(config);

  const operator = await issueDevToken({ role: 'PROVINCE_OPERATOR', agency: 'H55' });
  // One batch accepted as usual, then one the national side refuses once (422 BAD_SIGNATURE): FAILED.
  const first = await approvedChanges(database.db, 2);
  acceptedBatch = await buildBatch(operator, first.period);
  await until('the first batch to be accepted', async () => (await batchState(acceptedBatch)) === 'ACCEPTED');
  sim.sim.setFaults({ rules: [{ action: 'status', status: 422, code: 'BAD_SIGNATURE', times: 1, routes: ['pushBatch'] }] });
  const second = await approvedChanges(database.db, 3);
  failedBatch = await buildBatch(operator, second.period);
  await until('the second batch to fail', async () => (await batchState(failedBatch)) === 'FAILED');
  // An agency asks for a record the national database does not hold: the pull ends REJECTED with the reason.
  const person = await database.db.prisma.person.findFirstOrThrow({ where: { changes: { none: {} } }, orderBy: { personalId: 'desc' } });
  // Someone who left the province (a person employed here would move by an in-province transfer instead).
  await database.db.prisma.person.update({ where: { personalId: person.personalId }, data: { status: 'CHUYEN_RA_NGOAI_TINH' } });
  const pull = await fetch(`${address}/api/v1/transfers/pull`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ personalId: person.personalId, toAgencyCode: person.employingAgencyCode, decisionNo: '12/QĐ-SNV', reason: 'Tiếp nhận từ tỉnh khác' }) });
  expect(pull.status).toBe(202);
  pulled = { requestId: ((await pull.json()) as { requestId: string }).requestId, personalId: person.personalId };
  await until('the pull to be settled', async () => (await database.db.prisma.transferRequest.findUniqueOrThrow({ where: { requestId: pulled.requestId } })).state !== 'QUEUED');

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await app?.close();
  await rt?.close();
  await sim?.close();
  if (config) await removeKeys(REDIS_URL, config.queuePrefix);
  await database?.drop();
});

describe('the operator console in Chromium', () => {
  it('lets a Sở Nội vụ operator re-run a failed batch and see it accepted', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`); });

    // Sign in with the token the SSO issued: the operator lands on the health panel.
    await signIn(page, await issueDevToken({ role: 'PROVINCE_OPERATOR', agency: 'H55', name: 'Lê Thị Vận Hành' }));
    await poll(() => text(page.locator('#user'))).toContain('Chuyên viên vận hành Sở Nội vụ');
    const overall = page.locator('[data-testid=overall]');
    await overall.waitFor();
    expect(await page.locator('[data-panel=batches]').getAttribute('data-level')).toBe('red'); // a FAILED batch waits for an operator
    expect(await page.locator('[data-panel=readiness]').getAttribute('data-level')).toBe('green');
    expect(await page.locator('[data-panel=national] dd').first().textContent()).not.toContain('Chưa có');
    await page.screenshot({ path: `${SHOTS}-health.png`, fullPage: true });

    // The batches: the failed one is listed first with its error.
    await page.getByRole('link', { name: 'Gói đồng bộ' }).click();
    const failedItem = page.locator(`[data-failed="${failedBatch}"]`);
    await failedItem.waitFor();
    await poll(() => text(failedItem)).toContain('BAD_SIGNATURE');
    await poll(() => text(page.locator(`[data-batch-row="${acceptedBatch}"]`))).toContain('Được chấp nhận');
    await page.screenshot({ path: `${SHOTS}-batches.png`, fullPage: true });

    // Open the failed batch and re-run it.
    await page.locator(`[data-batch-row="${failedBatch}"] a[data-batch]`).click();
    const state = page.locator('[data-testid=batch-state]');
    await poll(() => attr(state, 'data-state')).toBe('FAILED');
    await poll(() => (page.locator('tr[data-action=BATCH_FAILED]')).count()).toBe(1);
    await page.locator('[data-testid=rerun]').click();
    await page.locator('[data-testid=rerun-confirm]').click();
    await page.locator('[data-testid=rerun-progress]').waitFor();
    await poll(() => attr(state, 'data-state'), 60_000).toMatch(/^(ACCEPTED|PARTIAL)$/);
    await poll(() => text(page.locator('[role=status]').first())).toContain('Chạy lại xong');
    // The re-run is linked to the failure it answers, in the batch's audit trail.
    const failedSeq = (await page.locator('tr[data-action=BATCH_FAILED]').getAttribute('id'))!.replace('audit-', '');
    await poll(() => text(page.locator('tr[data-action=BATCH_RERUN] [data-testid=rerun-link]'))).toContain(`#${failedSeq}`);
    await poll(() => (page.locator('tr[data-action=BATCH_RECEIPT]')).count()).toBe(1);
    await poll(() => (page.locator('tr[data-outcome=ACCEPTED]')).count()).toBe(3);
    await page.screenshot({ path: `${SHOTS}-batch.png`, fullPage: true });

    const stored = await database.db.prisma.batch.findUniqueOrThrow({ where: { batchId: failedBatch } });
    expect(stored).toMatchObject({ state: 'ACCEPTED', rerunCount: 1 });

    // Progress of the period: five changes entered, all synchronised.
    await page.getByRole('link', { name: 'Tiến độ kỳ' }).click();
    const synced = page.locator('.tile[data-key=synced] .tile-value');
    await poll(() => text(synced)).toBe('5');
    await poll(() => text(page.locator('.tile[data-key=entered] .tile-value'))).toBe('5');
    await page.screenshot({ path: `${SHOTS}-progress.png`, fullPage: true });

    // Transfer requests into the province: the pull, refused by the national side with its reason.
    await page.getByRole('link', { name: 'Yêu cầu chuyển dữ liệu' }).click();
    const pullRow = page.locator(`tr[data-request="${pulled.requestId}"]`);
    await poll(() => text(pullRow)).toContain('RECORD_NOT_FOUND');
    const rowText = await text(pullRow);
    expect(rowText).toContain('Bị từ chối');
    expect(rowText).toContain(pulled.personalId); // an operator sees personal ids
    await page.screenshot({ path: `${SHOTS}-transfers.png`, fullPage: true });
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('masks personal ids for ADMIN, shows API errors with their Vietnamese message and code, and refuses a bad token', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN' });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));

    await page.goto(`${address}/console/`);
    await page.locator('#token').fill('not-a-token');
    await page.locator('#sign-in').click();
    await poll(() => text(page.locator('[role=alert]'))).toContain('(TOKEN_INVALID)');
    await poll(() => text(page.locator('[role=alert]'))).toContain('Mã truy cập không hợp lệ');

    await signIn(page, await issueDevToken({ role: 'ADMIN', agency: 'H55' }));
    await poll(() => text(page.locator('#nav'))).toContain('Bảng hàng đợi (Bull Board)');
    await poll(() => text(page.locator('#nav'))).not.toContain('Yêu cầu chuyển dữ liệu');

    // Bull Board opens in a new tab: the console hands the token over as a cookie only the board receives.
    const [board] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: /Bull Board/ }).click()]);
    const queuesApi = await board.waitForResponse((r) => new URL(r.url()).pathname === '/admin/queues/api/queues', { timeout: 20_000 });
    expect(queuesApi.status()).toBe(200);
    const listed = (await queuesApi.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(listed.queues.map((q) => q.name).sort()).toEqual(['outbox', 'schedules']);
    expect(listed.queues.every((q) => q.readOnlyMode)).toBe(true);
    await board.screenshot({ path: `${SHOTS}-bull-board.png` });
    await board.close();
    await page.goto(`${address}/console/#/goi-dong-bo/${failedBatch}`);
    const ids = page.locator('tr[data-outcome] td:first-child code');
    await poll(() => (ids).count()).toBe(3);
    for (const id of await ids.allTextContents()) expect(id).toMatch(/^[0-9]{3}\*{7}[0-9]{2}$/);
    await page.screenshot({ path: `${SHOTS}-admin-batch.png`, fullPage: true });

    // A page of another role's: the API's refusal, in Vietnamese, with its code.
    await page.goto(`${address}/console/#/chuyen-du-lieu`);
    await poll(() => text(page.locator('[role=alert]'))).toContain('Bạn không có quyền thực hiện thao tác này. (FORBIDDEN)');
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
