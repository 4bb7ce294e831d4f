// What an operator reads: one-line errors with code, message and hint; Vietnamese dates and numbers.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { progressBar } from '../../../src/cli/output.ts';
import { cliErrorLine } from '../../../src/commands/cli-errors.ts';
import { viBytes, viDate, viDateTime, viNumber } from '../../../src/domain/vi-format.ts';
import { approvalWindow } from '../../../src/domain/working-days.ts';
import { formatDemoSummary } from '../../../src/demo/month-demo.ts';
import { describeInjected } from '../../../src/commands/demo.ts';

describe('backup and restore errors on the command line', () => {
  it('put code, message, the facts that differ and what to do on one line', () => {
    const line = cliErrorLine(new GatewayError('RESTORE_VERIFY_FAILED', { database: 'x', mismatches: [
      { what: 'row-count', table: 'person', expected: 3, actual: 2 }, { what: 'audit-chain', brokenAtSeq: '5', reason: 'HASH' }] }));
    expect(line).not.toContain('\n');
    expect(line).toBe('RESTORE_VERIFY_FAILED: Dữ liệu sau khi khôi phục không khớp với manifest của bản sao lưu. (database=x; '
      + 'bảng person: manifest 3 dòng, bản khôi phục 2 dòng; chuỗi nhật ký kiểm toán bị đứt tại dòng 5 (HASH)) '
      + '— không đưa bản khôi phục này vào sử dụng; dùng bản sao lưu khác và báo quản trị.');
  });
  it('keep multi-line details of a tool on one line', () => {
    expect(cliErrorLine(new GatewayError('BACKUP_FAILED', { stderr: 'a\nb' }))).toMatch(/^BACKUP_FAILED: .*\(stderr=a b\) — /);
  });
});

describe('progressBar', () => {
  it('writes nothing when the stream is not a terminal', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let written = '';
    (stream as unknown as PassThrough).on('data', (c: Buffer) => { written += c.toString(); });
    const bar = progressBar('Sao lưu', 'bảng', stream);
    bar.setTotal(3); bar.tick('person'); bar.stop();
    expect(written).toBe('');
  });
});

describe('Vietnamese formats', () => {
  it('dates in Asia/Ho_Chi_Minh, whatever the process time zone', () => {
    expect(viDate(new Date('2026-11-26T17:00:00Z'))).toBe('27/11/2026');
    expect(viDate(new Date('2026-11-26T16:59:59Z'))).toBe('26/11/2026');
    expect(viDate('2026-02-05')).toBe('05/02/2026');
    expect(viDateTime(new Date('2026-12-31T17:05:00Z'))).toBe('01/01/2027 00:05');
    expect(() => viDate('05/02/2026')).toThrow(RangeError);
  });
  it('numbers and sizes', () => {
    expect(viNumber(1234567)).toBe('1.234.567');
    expect(viNumber(-999)).toBe('-999');
    expect(viBytes(512)).toBe('512 B');
    expect(viBytes(1536)).toBe('1,5 KB');
  });
});

describe('the demo as an operator reads it', () => {
  it('says the approval window of December opens on the 27th (its UTC instant is on the 26th)', () => {
    const opens = approvalWindow('2026-12').opensAt;
    expect(opens.toISOString().slice(0, 10)).toBe('2026-12-26');
    expect(viDate(opens)).toBe('27/12/2026');
  });
  it('summarises in Vietnamese, codes in English, personal ids masked, no JSON', () => {
    const text = formatDemoSummary({ period: '2026-12', entered: 14, returned: 1, agencyApprovals: 5, provinceApproved: 13, batches: { ACCEPTED: 2, PARTIAL: 1 },
      synced: 12, rejected: [{ personalId: '001090001234', code: 'STALE_VERSION', message: 'Phiên bản cũ hơn' }], transfers: [], windowOverride: true, rerun: [{ batchId: 'H55.19-2026-12-1', code: 'SENDER_NOT_ALLOWED' }], resolved: [] });
    expect(text.split('\n')[0]).toBe('Tổng kết tháng 12/2026');
    expect(text).toMatch(/Đã đồng bộ lên CSDL quốc gia\s+12/);
    expect(text).toContain('001*******34 STALE_VERSION: Phiên bản cũ hơn');
    expect(text).toMatch(/Gói đồng bộ\s+ACCEPTED 2, PARTIAL 1/);
    expect(text).toMatch(/Gói chạy lại từ bảng điều khiển\s+H55\.19-2026-12-1 \(SENDER_NOT_ALLOWED\)/);
    expect(text).not.toMatch(/[{}"]/);
    expect(describeInjected({ status: 3, 'reset-after': 1 })).toBe('trả mã lỗi HTTP ×3, ngắt kết nối sau khi lưu ×1');
    expect(describeInjected({})).toBe('không có');
  });
});

describe('command-line mistakes', () => {
  it('are one Vietnamese line with BAD_REQUEST and a hint', async () => {
    const { translateCommanderError, vietnameseHelpTitle } = await import('../../../src/cli/output.ts');
    expect(translateCommanderError("error: unknown command 'bakup'\n(Did you mean backup?)\n"))
      .toBe('BAD_REQUEST: Yêu cầu không hợp lệ. — không có lệnh bakup (có phải ý bạn là backup?); xem `csdl-gateway <lệnh> --help`\n');
    expect(translateCommanderError("error: missing required argument 'file'\n")).toMatch(/^BAD_REQUEST: Yêu cầu không hợp lệ\. — thiếu tham số bắt buộc <file>;/);
    expect(translateCommanderError("error: option '--role <role>' argument 'X' is invalid. Allowed choices are ADMIN, STAFF.\n"))
      .toMatch(/giá trị X của --role <role> không hợp lệ\. Chọn một trong ADMIN, STAFF\./);
    expect(vietnameseHelpTitle('Options:')).toBe('Tùy chọn:');
  });
});
