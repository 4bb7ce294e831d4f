// The README's first command, run as a test: the whole month through the real API, worker, queue and
// simulator, with faults. Checks the numbers an operator would check.
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { runDemo } from '../../src/commands/demo.ts';
import { scratchDatabase } from '../support/database.ts';

const scratch = scratchDatabase('demo_test');

afterAll(async () => {
  await scratch.drop();
});

describe('npm run demo', () => {
  it('walks a month from entry to national receipts and prints a summary', async () => {
    const lines: string[] = [];
    const summary = await runDemo({ count: 300, changes: 14, serve: false, databaseUrl: scratch.url, queuePrefix: `demo-test-${randomBytes(3).toString('hex')}`,
      print: (line) => lines.push(line) });
    expect(summary.entered).toBe(14);
    expect(summary.returned).toBe(1);
    expect(summary.provinceApproved).toBe(13);
    expect(summary.rejected).toEqual([expect.objectContaining({ code: 'STALE_VERSION' })]);
    expect(summary.synced).toBe(12);
    expect(Object.keys(summary.batches).every((s) => s === 'ACCEPTED' || s === 'PARTIAL')).toBe(true);
    expect(summary.rerun).toEqual([expect.objectContaining({ code: 'SENDER_NOT_ALLOWED' })]);
    expect(summary.transfers).toEqual([expect.objectContaining({ state: 'IMPORTED' })]);
    const text = lines.join('\n');
    expect(text).toMatch(/Đã đồng bộ lên CSDL quốc gia\s+12/);
    expect(text).not.toMatch(/[{}]/); // no raw JSON for the operator
    if (summary.windowOverride) expect(text).toMatch(/ngoài thời hạn phê duyệt \(từ \d{2}\/\d{2}\/\d{4} đến hết \d{2}\/\d{2}\/\d{4}\)/);
    // The STALE_VERSION way out: rebased on the national version, approved again, accepted with the next phiên bản.
    expect(summary.resolved).toEqual([expect.objectContaining({ state: 'SYNCED', differences: expect.any(Number) })]);
    const [r] = summary.resolved;
    expect(r!.phienBan).toBe(r!.nationalVersion + 1);
  }, 240_000);
});
