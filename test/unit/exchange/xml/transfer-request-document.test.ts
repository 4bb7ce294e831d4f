import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../../src/errors.ts';
import {
  buildTransferRequestDocument,
  parseTransferRequestDocument,
  type TransferRequest,
} from '../../../../src/exchange/xml/transfer-request-document.ts';

const request: TransferRequest = {
  requestId: 'TR-2026-000123',
  personalId: '001085012345',
  fromAgencyCode: 'G09.20',
  toAgencyCode: 'H55.19.05',
  decisionNo: '123/QĐ-UBND',
  effectiveDate: '2026-12-01',
};
const opts = { maxBytes: 64 * 1024 };
const xmlOf = (r: TransferRequest = request): string => buildTransferRequestDocument(r).toString('utf8');
const parse = (xml: string) => parseTransferRequestDocument(Buffer.from(xml, 'utf8'), opts);

function errorOf(fn: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: (err.details ?? {}) as Record<string, unknown> };
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('YeuCauChuyenDuLieu', () => {
  it('writes the §7 document', () => {
    expect(xmlOf()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<YeuCauChuyenDuLieu xmlns="urn:vn:gov:cbccvc:dongbo:1">' +
        '<MaYeuCau>TR-2026-000123</MaYeuCau><SoDinhDanh>001085012345</SoDinhDanh><MaDonViChuyenDi>G09.20</MaDonViChuyenDi>' +
        '<MaDonViChuyenDen>H55.19.05</MaDonViChuyenDen><SoQuyetDinh>123/QĐ-UBND</SoQuyetDinh><NgayHieuLuc>2026-12-01</NgayHieuLuc>' +
        '</YeuCauChuyenDuLieu>\n',
    );
  });

  it('round trip, including an NFD decision number and an indented document', () => {
    expect(parse(xmlOf())).toEqual(request);
    const nfd = xmlOf().normalize('NFD').replace(/></g, '>\n  <');
    expect(parse(nfd)).toEqual(request);
  });

  it('escapes special characters in the decision number', () => {
    const r = { ...request, decisionNo: `12/QĐ-"A" & <B>'` };
    expect(xmlOf(r)).toContain('<SoQuyetDinh>12/QĐ-&quot;A&quot; &amp; &lt;B&gt;&apos;</SoQuyetDinh>');
    expect(parse(xmlOf(r))).toEqual(r);
  });

  it('converts QCVN 102:2016 agency codes', () => {
    expect(parse(xmlOf().replace('<MaDonViChuyenDen>H55.19.05', '<MaDonViChuyenDen>000.05.19.H55')).toAgencyCode).toBe('H55.19.05');
  });

  it('field problems carry the field and its own code', () => {
    expect(errorOf(() => parse(xmlOf().replace(/<SoQuyetDinh>[^<]*<\/SoQuyetDinh>/, '')))).toMatchObject({ code: 'MISSING_FIELD', details: { field: 'decisionNo' } });
    expect(errorOf(() => parse(xmlOf().replace('<SoDinhDanh>001085012345', '<SoDinhDanh>00108501234X')))).toMatchObject({ code: 'INVALID_PERSONAL_ID', details: { field: 'personalId' } });
    expect(errorOf(() => parse(xmlOf().replace('<MaDonViChuyenDi>G09.20', '<MaDonViChuyenDi>X09')))).toMatchObject({ code: 'INVALID_AGENCY_CODE', details: { field: 'fromAgencyCode' } });
    expect(errorOf(() => parse(xmlOf().replace('<NgayHieuLuc>2026-12-01', '<NgayHieuLuc>2026-12-32')))).toMatchObject({ code: 'INVALID_VALUE', details: { field: 'effectiveDate' } });
    expect(errorOf(() => parse(xmlOf().replace('<MaYeuCau>TR-2026-000123', '<MaYeuCau>a/b')))).toMatchObject({ code: 'INVALID_VALUE', details: { field: 'requestId' } });
    expect(errorOf(() => buildTransferRequestDocument({ ...request, decisionNo: 'a\u0000' })).code).toBe('INVALID_VALUE');
  });

  const bad: Array<[string, (x: string) => string, string]> = [
    ['unknown element', (x) => x.replace('</MaYeuCau>', '</MaYeuCau><Khac>1</Khac>'), 'UNKNOWN_ELEMENT'],
    ['duplicated element', (x) => x.replace('</MaYeuCau>', '</MaYeuCau><MaYeuCau>2</MaYeuCau>'), 'DUPLICATE_ELEMENT'],
    ['nested element', (x) => x.replace('<SoQuyetDinh>', '<SoQuyetDinh><B/>'), 'INVALID_VALUE'],
    ['wrong namespace', (x) => x.replace('dongbo:1', 'dongbo:0'), 'WRONG_NAMESPACE'],
    ['wrong root', (x) => x.replace(/YeuCauChuyenDuLieu/g, 'YeuCau'), 'WRONG_ROOT'],
    ['XXE', (x) => x.replace('\n', '\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace('TR-2026-000123', '&xxe;'), 'DOCTYPE_NOT_ALLOWED'],
    ['mixed content', (x) => x.replace('<MaYeuCau>', 'chữ<MaYeuCau>'), 'MIXED_CONTENT'],
  ];
  for (const [name, tamper, reason] of bad) {
    it(`${name} is BAD_PAYLOAD`, () => {
      expect(errorOf(() => parse(tamper(xmlOf())))).toMatchObject({ code: 'BAD_PAYLOAD', details: { reason } });
    });
  }
});
