// The one helper that masks personal ids for ADMIN: inside any string of a JSON answer, never inside a hash.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskPersonalData, maskPersonalIdsInText, seesPersonalIds } from '../../../src/http/admin-masking.ts';

describe('admin masking', () => {
  it('masks a personal id standing alone, in a sentence, in a path and as a key', () => {
    expect(maskPersonalData({ personalId: '001085012345', note: 'hồ sơ 001085012345 đã cập nhật', url: '/persons/001085012345/changes',
      byId: { '001085012345': 1 }, list: ['079190000123'] })).toEqual({ personalId: '001*******45', note: 'hồ sơ 001*******45 đã cập nhật',
      url: '/persons/001*******45/changes', byId: { '001*******45': 1 }, list: ['079*******23'] });
  });

  it('keeps hashes, longer numbers, uuids and non-string values', () => {
    const sha = 'ab012345678901cd'.padEnd(64, 'e');
    const kept = { sha, long: '0010850123456', short: '00108501234', n: 1085012345, ok: true, nil: null, uuid: '001085012345-aaaa' };
    expect(maskPersonalData(kept)).toEqual({ ...kept, uuid: '001085012345-aaaa'.replace('001085012345', '001*******45') });
  });

  it('never leaves twelve standalone digits in a CSV', () => {
    expect(maskPersonalIdsInText('so_dinh_danh;ho_ten\r\n001085012345;Nguyễn Văn An\r\n')).toBe('so_dinh_danh;ho_ten\r\n001*******45;Nguyễn Văn An\r\n');
  });

  it('no twelve-digit id survives in any JSON value (property)', () => {
    const id = fc.stringMatching(/^[0-9]{12}$/);
    const json = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, id, fc.string(), fc.integer(), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(fc.property(json, id, (value, pid) => {
      const out = JSON.stringify(maskPersonalData({ value, pid, text: `xem ${pid}.` }));
      return !out.includes(pid);
    }));
  });

  it('only ADMIN is not entitled to personal ids', () => {
    expect(['STAFF', 'UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR'].every((role) => seesPersonalIds({ role: role as never }))).toBe(true);
    expect(seesPersonalIds({ role: 'ADMIN' })).toBe(false);
  });
});
