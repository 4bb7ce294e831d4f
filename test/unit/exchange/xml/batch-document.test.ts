import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../../src/errors.ts';
import {
  buildBatchDocument,
  parseBatchDocument,
  writeBatchDocument,
  type BatchEntry,
} from '../../../../src/exchange/xml/batch-document.ts';
import { deepRecord, header, minimalRecord, TODAY } from './fixtures.ts';

const opts = { maxBytes: 32 << 20, today: TODAY };
const entries = (n: number, make = deepRecord): BatchEntry[] =>
  Array.from({ length: n }, (_, i) => ({ thaoTac: i % 2 === 0 ? 'CAP_NHAT' : 'THEM_MOI', phienBan: i + 1, hoSo: make(i) }));
const batchXml = (records: BatchEntry[]): string => buildBatchDocument(header(records.length), records).toString('utf8');
const parse = (xml: string) => parseBatchDocument(Buffer.from(xml, 'utf8'), opts);

function errorOf(fn: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: (err.details ?? {}) as Record<string, unknown> };
    throw err;
  }
  throw new Error('expected a GatewayError');
}

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of gen) out.push(chunk);
  return out;
}

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('batch document: build and parse', () => {
  it('round trip: header and every record (deep and minimal) come back identical', () => {
    const records = [...entries(3), { thaoTac: 'CHUYEN_TRANG_THAI' as const, phienBan: 9, hoSo: minimalRecord(5) }];
    const parsed = parse(batchXml(records));
    expect(parsed.header).toEqual(header(4));
    expect(parsed.records).toEqual(
      records.map((e, index) => ({ index, thaoTac: e.thaoTac, phienBan: e.phienBan, personalId: e.hoSo.SoDinhDanh, hoSo: e.hoSo, issues: [] })),
    );
  });

  it('writes the §6 frame', () => {
    const xml = batchXml(entries(1, minimalRecord));
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<GoiTinDongBo xmlns="urn:vn:gov:cbccvc:dongbo:1" phienBan="1\.0"><ThongTinGoi><MaGoi>H55-2026-11-0001<\/MaGoi><MaDonViGui>H55\.19<\/MaDonViGui><KyDongBo>2026-11<\/KyDongBo><ThoiGianTao>2026-11-30T23:00:00\+07:00<\/ThoiGianTao><SoHoSo>1<\/SoHoSo><\/ThongTinGoi><DanhSachHoSo><HoSo thaoTac="CAP_NHAT" phienBan="1"><SoDinhDanh>/,
    );
    expect(xml.endsWith('</HoSo></DanhSachHoSo></GoiTinDongBo>\n')).toBe(true);
  });

  it('leaves KyDongBo out when the period is null, and reads it back as null', () => {
    const xml = buildBatchDocument(header(1, null), entries(1)).toString('utf8');
    expect(xml).not.toContain('KyDongBo');
    expect(parse(xml).header.period).toBeNull();
  });

  it('the streaming writer is byte-identical to the sync builder (sync and async sources)', async () => {
    const records = entries(50);
    const whole = buildBatchDocument(header(50), records);
    const chunks = await collect(writeBatchDocument(header(50), asAsync(records), { chunkChars: 4096 }));
    expect(chunks.length).toBeGreaterThan(10);
    expect(Buffer.concat(chunks).equals(whole)).toBe(true);
    expect(Buffer.concat(await collect(writeBatchDocument(header(50), records))).equals(whole)).toBe(true);
  });

  it('streams 10,000 deep records in many chunks of bounded size', async () => {
    const n = 10_000;
    function* source(): Generator<BatchEntry> {
      for (let i = 0; i < n; i++) yield { thaoTac: 'CAP_NHAT', phienBan: 1, hoSo: deepRecord(i) };
    }
    const chunkChars = 32 * 1024;
    let chunks = 0;
    let total = 0;
    let largest = 0;
    for await (const chunk of writeBatchDocument(header(n), source(), { chunkChars })) {
      chunks++;
      total += chunk.length;
      largest = Math.max(largest, chunk.length);
    }
    const oneRecord = Buffer.byteLength(batchXml(entries(1))) ;
    expect(total).toBeGreaterThan(n * 4000);
    expect(chunks).toBeGreaterThan(total / (3 * chunkChars + oneRecord));
    expect(largest).toBeLessThanOrEqual(3 * chunkChars + oneRecord);
  });

  it('the writer throws COUNT_MISMATCH when the stream yields more or fewer records than SoHoSo', async () => {
    await expect(collect(writeBatchDocument(header(2), entries(3)))).rejects.toMatchObject({ code: 'COUNT_MISMATCH', details: { declared: 2, actual: 3 } });
    await expect(collect(writeBatchDocument(header(2), asAsync(entries(1))))).rejects.toMatchObject({ code: 'COUNT_MISMATCH', details: { declared: 2, actual: 1 } });
    expect(errorOf(() => buildBatchDocument(header(2), entries(1))).code).toBe('COUNT_MISMATCH');
  });

  it('refuses an invalid header or entry on build', () => {
    expect(errorOf(() => buildBatchDocument({ ...header(1), batchId: 'bad id!' }, entries(1))).details).toMatchObject({ path: 'GoiTinDongBo/ThongTinGoi/MaGoi' });
    expect(errorOf(() => buildBatchDocument({ ...header(1), senderCode: '000.00.19.H55' }, entries(1))).details).toMatchObject({ path: 'GoiTinDongBo/ThongTinGoi/MaDonViGui' });
    expect(errorOf(() => buildBatchDocument({ ...header(1), createdAt: '2026-11-30 23:00' }, entries(1))).code).toBe('INVALID_VALUE');
    expect(errorOf(() => buildBatchDocument(header(1), [{ thaoTac: 'XOA' as 'THEM_MOI', phienBan: 1, hoSo: minimalRecord() }])).code).toBe('INVALID_VALUE');
    expect(errorOf(() => buildBatchDocument(header(1), [{ thaoTac: 'THEM_MOI', phienBan: 0, hoSo: minimalRecord() }])).code).toBe('INVALID_VALUE');
  });
});

describe('batch document: the batch as a whole fails', () => {
  const good = (): string => batchXml(entries(2, minimalRecord));

  it('SoHoSo differing from the number of HoSo is COUNT_MISMATCH', () => {
    expect(errorOf(() => parse(good().replace('<SoHoSo>2</SoHoSo>', '<SoHoSo>3</SoHoSo>')))).toMatchObject({ code: 'COUNT_MISMATCH', details: { declared: 3, actual: 2 } });
    expect(errorOf(() => parse(good().replace('<SoHoSo>2</SoHoSo>', '<SoHoSo>1</SoHoSo>'))).code).toBe('COUNT_MISMATCH');
  });

  for (const field of ['MaGoi', 'MaDonViGui', 'ThoiGianTao', 'SoHoSo']) {
    it(`a missing ${field} is BAD_PAYLOAD`, () => {
      const xml = good().replace(new RegExp(`<${field}>[^<]*</${field}>`), '');
      expect(errorOf(() => parse(xml))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason: 'MISSING_ELEMENT', path: `GoiTinDongBo/ThongTinGoi/${field}` } });
    });
  }

  const cases: Array<[string, (xml: string) => string, string]> = [
    ['an invalid header value', (x) => x.replace('<SoHoSo>2</SoHoSo>', '<SoHoSo>two</SoHoSo>'), 'INVALID_VALUE'],
    ['an invalid period', (x) => x.replace('<KyDongBo>2026-11</KyDongBo>', '<KyDongBo>2026-13</KyDongBo>'), 'INVALID_VALUE'],
    ['a duplicated header element', (x) => x.replace('</MaGoi>', '</MaGoi><MaGoi>X</MaGoi>'), 'DUPLICATE_ELEMENT'],
    ['an unknown header element', (x) => x.replace('</MaGoi>', '</MaGoi><Ghi>x</Ghi>'), 'UNKNOWN_ELEMENT'],
    ['an unknown envelope element', (x) => x.replace('<DanhSachHoSo>', '<Khac/><DanhSachHoSo>'), 'UNKNOWN_ELEMENT'],
    ['an unknown element in DanhSachHoSo', (x) => x.replace('<DanhSachHoSo>', '<DanhSachHoSo><Khac/>'), 'UNKNOWN_ELEMENT'],
    ['header elements out of order', (x) => x.replace(/(<MaGoi>[^<]*<\/MaGoi>)(<MaDonViGui>[^<]*<\/MaDonViGui>)/, '$2$1'), 'ELEMENT_ORDER'],
    ['DanhSachHoSo before ThongTinGoi', (x) => x.replace(/(<ThongTinGoi>.*<\/ThongTinGoi>)(<DanhSachHoSo>.*<\/DanhSachHoSo>)/, '$2$1'), 'ELEMENT_ORDER'],
    ['no ThongTinGoi', (x) => x.replace(/<ThongTinGoi>.*<\/ThongTinGoi>/, ''), 'MISSING_ELEMENT'],
    ['no DanhSachHoSo', (x) => x.replace(/<DanhSachHoSo>.*<\/DanhSachHoSo>/, ''), 'MISSING_ELEMENT'],
    ['wrong document version', (x) => x.replace('phienBan="1.0"', 'phienBan="2.0"'), 'WRONG_VERSION'],
    ['missing document version', (x) => x.replace(' phienBan="1.0"', ''), 'WRONG_VERSION'],
    ['wrong namespace', (x) => x.replace('urn:vn:gov:cbccvc:dongbo:1', 'urn:vn:gov:cbccvc:dongbo:9'), 'WRONG_NAMESPACE'],
    ['wrong root', (x) => x.replace(/GoiTinDongBo/g, 'GoiTin'), 'WRONG_ROOT'],
    ['a namespace redefined on a record', (x) => x.replace('<HoSo thaoTac', '<HoSo xmlns="urn:other" thaoTac'), ''],
    ['XXE', (x) => x.replace('\n', '\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace('<MaGoi>H55-2026-11-0001', '<MaGoi>&xxe;'), 'DOCTYPE_NOT_ALLOWED'],
    ['a PI in the body', (x) => x.replace('<DanhSachHoSo>', '<DanhSachHoSo><?exec rm -rf /?>'), 'PROCESSING_INSTRUCTION_NOT_ALLOWED'],
    ['an undeclared entity inside a record', (x) => x.replace('Trần', '&xxe;'), 'UNDECLARED_ENTITY'],
    ['text in DanhSachHoSo', (x) => x.replace('<DanhSachHoSo>', '<DanhSachHoSo>rác'), 'MIXED_CONTENT'],
  ];
  for (const [name, tamper, reason] of cases) {
    it(`${name} is BAD_PAYLOAD${reason === '' ? ' or a record issue' : ''}`, () => {
      const xml = tamper(good());
      if (reason === '') {
        // xmlns on an inner element is an attribute the record does not have: the record is rejected
        expect(parse(xml).records[0]?.issues).toContainEqual({ path: '@xmlns', code: 'INVALID_VALUE', reason: 'UNKNOWN_FIELD' });
        return;
      }
      expect(errorOf(() => parse(xml))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason } });
    });
  }

  it('a batch declaring more records than maxRecords is refused before its records are read', () => {
    const xml = good();
    expect(errorOf(() => parseBatchDocument(Buffer.from(xml), { ...opts, maxRecords: 1 }))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason: 'TOO_MANY_RECORDS' } });
  });

  it('an oversized batch is refused before parsing', () => {
    const xml = good();
    expect(errorOf(() => parseBatchDocument(Buffer.from(xml), { maxBytes: 100, today: TODAY })).code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('batch document: per-record issues do not fail the batch', () => {
  const base = (): BatchEntry[] => entries(3, minimalRecord);
  /** Tampers with the second record only (index 1) and returns its issues; records 0 and 2 stay valid. */
  function issuesOfSecond(tamper: (recordXml: string) => string) {
    const xml = batchXml(base());
    const parts = xml.split('<HoSo ');
    parts[2] = tamper(parts[2] ?? '');
    const parsed = parse(parts.join('<HoSo '));
    expect(parsed.records[0]?.hoSo).toBeDefined();
    expect(parsed.records[2]?.hoSo).toBeDefined();
    expect(parsed.records[1]?.hoSo).toBeUndefined();
    return parsed.records[1]?.issues ?? [];
  }
  const id1 = minimalRecord(1).SoDinhDanh;

  const cases: Array<[string, (x: string) => string, { path: string; code: string; reason?: string }]> = [
    ['INVALID_PERSONAL_ID', (x) => x.replace(`<SoDinhDanh>${id1}`, '<SoDinhDanh>12345'), { path: 'SoDinhDanh', code: 'INVALID_PERSONAL_ID', reason: 'LENGTH' }],
    ['PERSONAL_ID_MISMATCH', (x) => x.replace('<NgaySinh>1990-01-02', '<NgaySinh>1991-01-02'), { path: 'SoDinhDanh', code: 'PERSONAL_ID_MISMATCH', reason: 'BIRTH_YEAR' }],
    ['INVALID_AGENCY_CODE', (x) => x.replace('<MaDonViQuanLy>H55.19', '<MaDonViQuanLy>h55.19'), { path: 'MaDonViQuanLy', code: 'INVALID_AGENCY_CODE' }],
    ['AGENCY_NOT_IN_PROVINCE', (x) => x.replace('<MaDonViSuDung>H55.19.05', '<MaDonViSuDung>H01.02'), { path: 'MaDonViSuDung', code: 'AGENCY_NOT_IN_PROVINCE' }],
    ['MISSING_FIELD', (x) => x.replace(/<HoTen>[^<]*<\/HoTen>/, ''), { path: 'SoYeuLyLich.HoTen', code: 'MISSING_FIELD', reason: 'REQUIRED' }],
    ['INVALID_VALUE (enum)', (x) => x.replace('<PhanLoai>CONG_CHUC', '<PhanLoai>CONG_NHAN'), { path: 'PhanLoai', code: 'INVALID_VALUE', reason: 'ENUM' }],
    ['INVALID_VALUE (decimal with a comma)', (x) => x.replace('</NgaySinh>', '</NgaySinh><Luong><HeSoLuong>2,34</HeSoLuong></Luong>'), { path: 'SoYeuLyLich.Luong.HeSoLuong', code: 'INVALID_VALUE', reason: 'TYPE' }],
    ['INVALID_VALUE (date)', (x) => x.replace('<NgaySinh>1990-01-02', '<NgaySinh>1990-02-30'), { path: 'SoYeuLyLich.NgaySinh', code: 'INVALID_VALUE' }],
    ['INVALID_VALUE (unknown element)', (x) => x.replace('</GioiTinh>', '</GioiTinh><MatKhau>x</MatKhau>'), { path: 'SoYeuLyLich.MatKhau', code: 'INVALID_VALUE', reason: 'UNKNOWN_FIELD' }],
    ['INVALID_VALUE (duplicated element)', (x) => x.replace('</GioiTinh>', '</GioiTinh><GioiTinh>NAM</GioiTinh>'), { path: 'SoYeuLyLich.GioiTinh', code: 'INVALID_VALUE', reason: 'DUPLICATE' }],
    ['INVALID_VALUE (elements out of §6 order)', (x) => x.replace(/(<HoTen>[^<]*<\/HoTen>)(<GioiTinh>[^<]*<\/GioiTinh>)/, '$2$1'), { path: 'SoYeuLyLich.HoTen', code: 'INVALID_VALUE', reason: 'ORDER' }],
    ['INVALID_VALUE (nested element in a leaf)', (x) => x.replace('<HoTen>', '<HoTen><B>x</B>'), { path: 'SoYeuLyLich.HoTen', code: 'INVALID_VALUE', reason: 'NOT_A_LEAF' }],
    ['NOT_APPROVED', (x) => x.replace('<Cap>SO_NOI_VU', '<Cap>CO_QUAN'), { path: 'PheDuyet', code: 'NOT_APPROVED', reason: 'NO_PROVINCE_APPROVAL' }],
    ['NOT_APPROVED (no PheDuyet at all)', (x) => x.replace(/<PheDuyet>.*<\/PheDuyet>/, ''), { path: 'PheDuyet', code: 'NOT_APPROVED', reason: 'NO_PROVINCE_APPROVAL' }],
    ['a missing thaoTac', (x) => x.replace('thaoTac="THEM_MOI" ', ''), { path: '@thaoTac', code: 'MISSING_FIELD' }],
    ['an invalid thaoTac', (x) => x.replace('thaoTac="THEM_MOI"', 'thaoTac="XOA"'), { path: '@thaoTac', code: 'INVALID_VALUE' }],
    ['an invalid phienBan', (x) => x.replace('phienBan="2"', 'phienBan="-1"'), { path: '@phienBan', code: 'INVALID_VALUE' }],
  ];
  for (const [name, tamper, expected] of cases) {
    it(name, () => {
      expect(issuesOfSecond(tamper)).toContainEqual(expect.objectContaining(expected));
    });
  }

  it('keeps the raw SoDinhDanh of a rejected record', () => {
    const xml = batchXml(base()).replace('<NgaySinh>1990-01-02', '<NgaySinh>1991-01-02');
    const parsed = parse(xml);
    expect(parsed.records.map((r) => r.personalId)).toEqual(base().map((e) => e.hoSo.SoDinhDanh));
  });
});
