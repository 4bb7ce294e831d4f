// What the command line prints for each failure it can name: one line, the stable code, the Vietnamese
// message, what to do; never a library's object or a password.
import { describe, expect, it } from 'vitest';
import { cliErrorLine, endpointOf } from '../../../src/commands/cli-errors.ts';
import { GatewayError } from '../../../src/errors.ts';

const endpoints = { database: 'db.internal:5432', redis: 'cache.internal:6379' };
const sys = (code: string, address: string, port: number) => Object.assign(new Error(`connect ${code} ${address}:${port}`), { code, address, port });

describe('cliErrorLine', () => {
  it.each([
    ['PostgreSQL refusing connections', sys('ECONNREFUSED', '10.0.0.5', 5432), /^DATABASE_UNAVAILABLE: Không kết nối được cơ sở dữ liệu\. \(ECONNREFUSED\) — khởi động PostgreSQL tại db\.internal:5432/],
    ['both address families refused (AggregateError)', Object.assign(new AggregateError([sys('ECONNREFUSED', '::1', 5432), sys('ECONNREFUSED', '127.0.0.1', 5432)]), { code: 'ECONNREFUSED' }), /^DATABASE_UNAVAILABLE: /],
    ['Redis refusing on both address families', Object.assign(new AggregateError([sys('ECONNREFUSED', '::1', 6379)]), { code: 'ECONNREFUSED' }), /^QUEUE_UNAVAILABLE: /],
    ['Redis refusing connections', sys('ECONNREFUSED', '10.0.0.6', 6379), /^QUEUE_UNAVAILABLE: .* — khởi động Redis tại cache\.internal:6379 hoặc sửa REDIS_URL$/],
    ['an unknown host', sys('ENOTFOUND', 'db.internal', 5432), /^DATABASE_UNAVAILABLE: .*\(ENOTFOUND\)/],
    ['another service refusing', sys('ECONNREFUSED', '10.0.0.7', 8443), /^INTERNAL_ERROR: .*\(ECONNREFUSED\) — không kết nối được 10\.0\.0\.7:8443/],
    ['a missing database (pg)', Object.assign(new Error('database "x" does not exist'), { code: '3D000' }), /^DATABASE_MISSING: .* — chạy `csdl-gateway migrate` trước/],
    ['a missing database (Prisma)', { name: 'DriverAdapterError', cause: { kind: 'DatabaseDoesNotExist', db: 'x' } }, /^DATABASE_MISSING: /],
    ['a database never migrated (Prisma P2021)', Object.assign(new Error('The table `public.agency` does not exist'), { code: 'P2021' }), /^DATABASE_NOT_MIGRATED: .* — chạy `csdl-gateway migrate` trước/],
    ['a database never migrated (pg 42P01)', Object.assign(new Error('relation "agency" does not exist'), { code: '42P01' }), /^DATABASE_NOT_MIGRATED: /],
    ['a wrong password', Object.assign(new Error('password authentication failed for user "gw"'), { code: '28P01' }), /^DATABASE_UNAVAILABLE: .* — kiểm tra người dùng và mật khẩu trong DATABASE_URL$/],
    ['a port already taken', Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:3000'), { code: 'EADDRINUSE', port: 3000 }), /^CONFIG_INVALID: .*\(PORT: EADDRINUSE\) — cổng này đang được tiến trình khác dùng/],
    ['a bad setting', new GatewayError('CONFIG_INVALID', { variable: 'PORT', reason: 'expected an integer 0..65535' }), /^CONFIG_INVALID: Cấu hình hệ thống không hợp lệ\. \(PORT: expected an integer 0\.\.65535\) — sửa biến môi trường/],
    ['a hint given by the code', new GatewayError('BAD_REQUEST', { hint: '--count must be an integer 0..1000000' }), /^BAD_REQUEST: Yêu cầu không hợp lệ\. — --count must be an integer 0\.\.1000000$/],
    ['anything else', new TypeError('Cannot read properties of undefined (reading \'x\')\n    at f (file.ts:1:1)'), /^INTERNAL_ERROR: Lỗi hệ thống; .* — chạy lại với --verbose để xem chi tiết/],
  ])('%s', (_what, err, expected) => {
    const line = cliErrorLine(err, endpoints);
    expect(line).toMatch(expected);
    expect(line).not.toMatch(/\n/);
    expect(line).not.toMatch(/Cannot read|at f \(|errno/);
  });

  it('never prints credentials of the URLs it names', () => {
    expect(endpointOf('postgresql://gw:s3cret@db.internal:6543/csdl')).toBe('db.internal:6543');
    expect(endpointOf('redis://:s3cret@cache.internal')).toBe('cache.internal:6379');
    expect(endpointOf('not a url')).toBeUndefined();
  });
});
