import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../../src/errors.ts';
import { buildNationalRecordDocument, buildRecordDocument, parsePulledRecordDocument, parseRecordDocument, type HoSo } from '../../../../src/exchange/xml/record-document.ts';
import { deepRecord, minimalRecord, TODAY, toNfd } from './fixtures.ts';

const opts = { maxBytes: 1 << 20, today: TODAY };
const parse = (xml: string | Buffer): HoSo => parseRecordDocument(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, opts);

function errorOf(fn: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: (err.details ?? {}) as Record<string, unknown> };
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('record document: round trip', () => {
  it('a deep record (every child table, diacritics, & < > " \') comes back identical', () => {
    const record = deepRecord(7);
    expect(parse(buildRecordDocument(record))).toEqual(record);
  });

  it('a minimal record comes back identical', () => {
    const record = minimalRecord();
    expect(parse(buildRecordDocument(record))).toEqual(record);
  });

  it('writes the declaration, the namespace and the five escapes', () => {
    const xml = buildRecordDocument(deepRecord()).toString('utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<HoSo xmlns="urn:vn:gov:cbccvc:dongbo:1">')).toBe(true);
    expect(xml).toContain('<TenGoiKhac>&quot;Tí&quot; &lt;bé&gt; &amp; &apos;út&apos;</TenGoiKhac>');
    expect(xml).toContain('<HeSoLuong>5.36</HeSoLuong>');
    expect(xml).toContain('<PhuCapChucVu>0.20</PhuCapChucVu>');
    expect(xml).toContain('<BenVoChong>false</BenVoChong>');
    expect(xml).toContain('<QuaTrinhDaoTao><DaoTao><Loai>CHUYEN_MON</Loai>');
    expect(xml).toContain('<KhenThuong><Muc><Nam>2023</Nam>');
    expect(xml).toContain('<PheDuyet><CapPheDuyet><Cap>CO_QUAN</Cap>');
  });

  it('writes elements in the §6 order whatever the key order of the object', () => {
    const r = deepRecord();
    const shuffled = { PheDuyet: r.PheDuyet, SoYeuLyLich: { ...r.SoYeuLyLich, HoTen: r.SoYeuLyLich.HoTen }, TrangThai: r.TrangThai, NgayHieuLuc: r.NgayHieuLuc, PhanLoai: r.PhanLoai, MaDonViSuDung: r.MaDonViSuDung, MaDonViQuanLy: r.MaDonViQuanLy, SoDinhDanh: r.SoDinhDanh };
    const xml = buildRecordDocument(shuffled as HoSo).toString('utf8');
    const order = ['SoDinhDanh', 'MaDonViQuanLy', 'MaDonViSuDung', 'PhanLoai', 'TrangThai', 'NgayHieuLuc', 'SoYeuLyLich', 'PheDuyet'];
    const positions = order.map((name) => xml.indexOf(`<${name}>`));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const cv = ['HoTen', 'GioiTinh', 'TenGoiKhac', 'NgaySinh', 'Luong', 'SucKhoe', 'QuaTrinhDaoTao', 'QuaTrinhCongTac', 'KhenThuong', 'KyLuat', 'QuanHeGiaDinh', 'QuaTrinhLuong', 'NhanXetDanhGia'];
    const cvPositions = cv.map((name) => xml.indexOf(`<${name}>`));
    expect(cvPositions).toEqual([...cvPositions].sort((a, b) => a - b));
    expect(buildRecordDocument(shuffled as HoSo).equals(buildRecordDocument(r))).toBe(true);
  });

  it('leaves out empty optional elements', () => {
    const r = minimalRecord();
    const withEmpties = { ...r, NgayHieuLuc: '', SoYeuLyLich: { ...r.SoYeuLyLich, TenGoiKhac: '', QuaTrinhDaoTao: [], Luong: {}, NoiSinh: undefined } };
    const xml = buildRecordDocument(withEmpties as unknown as HoSo).toString('utf8');
    for (const name of ['NgayHieuLuc', 'TenGoiKhac', 'QuaTrinhDaoTao', 'Luong', 'NoiSinh']) expect(xml).not.toContain(name);
    expect(xml).toBe(buildRecordDocument(r).toString('utf8'));
  });

  it('NFD input parses to the same object as NFC input, and NFD objects are written as NFC', () => {
    const record = deepRecord(3);
    const nfcXml = buildRecordDocument(record).toString('utf8');
    const nfdXml = nfcXml.normalize('NFD');
    expect(nfdXml).not.toBe(nfcXml);
    expect(parse(nfdXml)).toEqual(parse(nfcXml));
    expect(buildRecordDocument(toNfd(record)).toString('utf8')).toBe(nfcXml);
  });

  it('reads an indented document, character references and an empty element as absent', () => {
    const r = minimalRecord();
    const xml = buildRecordDocument(r)
      .toString('utf8')
      .replace('<HoTen>Trần Văn Bình</HoTen>', '\n    <HoTen>Tr&#7847;n V&#x0103;n B&#236;nh</HoTen>\n    ')
      .replace('</GioiTinh>', '</GioiTinh>\n    <TenGoiKhac/>\n    ')
      .replace(/><PheDuyet>/, '>\n  <PheDuyet>');
    expect(parse(xml)).toEqual(r);
  });

  it('converts QCVN 102:2016 agency codes on input', () => {
    const xml = buildRecordDocument(minimalRecord()).toString('utf8').replace('<MaDonViSuDung>H55.19.05</MaDonViSuDung>', '<MaDonViSuDung>000.05.19.H55</MaDonViSuDung>');
    expect(parse(xml).MaDonViSuDung).toBe('H55.19.05');
  });
});

describe('record document: refusals', () => {
  it('refuses to write a character XML 1.0 cannot carry', () => {
    const r = minimalRecord();
    const bad = { ...r, SoYeuLyLich: { ...r.SoYeuLyLich, NoiSinh: 'a\u0007b' } };
    expect(errorOf(() => buildRecordDocument(bad))).toMatchObject({ code: 'INVALID_VALUE', details: { path: 'SoYeuLyLich.NoiSinh', reason: 'CONTROL_CHAR' } });
  });

  it('refuses to drop a field the schema does not have, or a value of the wrong type', () => {
    const r = minimalRecord();
    expect(errorOf(() => buildRecordDocument({ ...r, Extra: 'x' } as HoSo)).details).toMatchObject({ path: 'Extra', reason: 'UNKNOWN_FIELD' });
    const wrong = { ...r, SoYeuLyLich: { ...r.SoYeuLyLich, Luong: { HeSoLuong: '2.34' } } };
    expect(errorOf(() => buildRecordDocument(wrong as unknown as HoSo)).details).toMatchObject({ path: 'SoYeuLyLich.Luong.HeSoLuong', reason: 'TYPE' });
    const lossy = { ...r, SoYeuLyLich: { ...r.SoYeuLyLich, Luong: { HeSoLuong: 2.345 } } };
    expect(errorOf(() => buildRecordDocument(lossy)).details).toMatchObject({ reason: 'DECIMALS' });
  });

  it('a hostile record document is BAD_PAYLOAD', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><HoSo xmlns="urn:vn:gov:cbccvc:dongbo:1"><SoDinhDanh>&xxe;</SoDinhDanh></HoSo>`;
    expect(errorOf(() => parse(xxe))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason: 'DOCTYPE_NOT_ALLOWED' } });
    const wrongRoot = buildRecordDocument(minimalRecord()).toString('utf8').replace(/HoSo/g, 'HoSoX');
    expect(errorOf(() => parse(wrongRoot)).details).toMatchObject({ reason: 'WRONG_ROOT' });
    const wrongNs = buildRecordDocument(minimalRecord()).toString('utf8').replace('dongbo:1', 'dongbo:2');
    expect(errorOf(() => parse(wrongNs)).details).toMatchObject({ reason: 'WRONG_NAMESPACE' });
  });

  it('an invalid record throws the first issue code with every issue', () => {
    const xml = buildRecordDocument(minimalRecord()).toString('utf8').replace('<GioiTinh>NAM</GioiTinh>', '<GioiTinh>NU</GioiTinh><Bogus>1</Bogus>');
    const err = errorOf(() => parse(xml));
    expect(err.code).toBe('INVALID_VALUE');
    expect(err.details['issues']).toEqual(
      expect.arrayContaining([
        { path: 'SoYeuLyLich.Bogus', code: 'INVALID_VALUE', reason: 'UNKNOWN_FIELD' },
        { path: 'SoDinhDanh', code: 'PERSONAL_ID_MISMATCH', reason: 'GENDER' },
      ]),
    );
  });

  it('a record without a SO_NOI_VU approval is refused (MISSING_FIELD, NO_PROVINCE_APPROVAL) unless not required', () => {
    const xml = buildRecordDocument(minimalRecord()).toString('utf8').replace('<Cap>SO_NOI_VU</Cap>', '<Cap>CO_QUAN</Cap>');
    const err = errorOf(() => parse(xml));
    expect(err.code).toBe('MISSING_FIELD');
    expect(err.details['issues']).toEqual([{ path: 'PheDuyet', code: 'NOT_APPROVED', reason: 'NO_PROVINCE_APPROVAL' }]);
    expect(parseRecordDocument(Buffer.from(xml), { ...opts, requireProvinceApproval: false }).PheDuyet[0]?.Cap).toBe('CO_QUAN');
  });
});

describe('pulled record document (§5, §6: the HoSo element as the national side accepted it)', () => {
  const record = minimalRecord();
  const pulled = (xml: string, version = 3) => parsePulledRecordDocument(Buffer.from(xml, 'utf8'), { ...opts, version });
  const served = buildNationalRecordDocument({ hoSo: record, thaoTac: 'CAP_NHAT', phienBan: 3 }).toString('utf8');

  it('accepts thaoTac and phienBan on the root, the namespace declared on it, in any attribute order', () => {
    expect(served).toMatch(/^<\?xml[^>]*\?>\n<HoSo xmlns="urn:vn:gov:cbccvc:dongbo:1" thaoTac="CAP_NHAT" phienBan="3">/);
    expect(pulled(served)).toEqual({ hoSo: record, thaoTac: 'CAP_NHAT', phienBan: 3 });
    const reordered = served.replace('<HoSo xmlns="urn:vn:gov:cbccvc:dongbo:1" thaoTac="CAP_NHAT" phienBan="3">',
      '<HoSo phienBan="3" thaoTac="CAP_NHAT" xmlns="urn:vn:gov:cbccvc:dongbo:1">');
    expect(pulled(reordered).phienBan).toBe(3);
  });

  it('refuses a phienBan other than the answer\'s version', () => {
    expect(errorOf(() => pulled(served, 4))).toEqual({ code: 'BAD_PAYLOAD', details: { reason: 'WRONG_VERSION', path: 'HoSo/@phienBan', phienBan: 3, version: 4 } });
  });

  it('refuses a missing or bad thaoTac/phienBan, and any other attribute', () => {
    expect(errorOf(() => pulled(buildRecordDocument(record).toString('utf8')))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason: 'MISSING_ATTRIBUTE' } });
    expect(errorOf(() => pulled(served.replace('thaoTac="CAP_NHAT"', 'thaoTac="XOA"')))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason: 'INVALID_VALUE', path: 'HoSo/@thaoTac' } });
    expect(errorOf(() => pulled(served.replace('phienBan="3"', 'phienBan="03x"')))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason: 'INVALID_VALUE', path: 'HoSo/@phienBan' } });
    expect(errorOf(() => pulled(served.replace('phienBan="3"', 'phienBan="3" nguon="X"')))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason: 'UNEXPECTED_ATTRIBUTE', attribute: 'nguon' } });
  });

  it('the export document (no attributes) still refuses them', () => {
    expect(errorOf(() => parseRecordDocument(Buffer.from(served), opts))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason: 'UNEXPECTED_ATTRIBUTE' } });
  });
});
