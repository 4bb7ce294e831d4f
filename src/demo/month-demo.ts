// The end-to-end demo of a month (README's first command): a seeded province, the national simulator
// with injected faults, the API and a worker, all real and on loopback. It walks the month through the
// API as its users would — entry, verification, agency heads' two-step signatures, Sở Nội vụ's signature,
// the month-end push, receipts — plus one inbound transfer, and prints what an operator would check.
import type { Config } from '../config.ts';
import type { Logger } from 'pino';
import { issueDevToken } from '../auth/dev-token.ts';
import type { Role } from '../auth/principal.ts';
import { isInApprovalWindow, lastDayOfMonth, periodOf, approvalWindow } from '../domain/working-days.ts';
import { viDate } from '../domain/vi-format.ts';
import { signPreparedDigest } from '../pki/external-signing.ts';
import type { SigningKey } from '../pki/keys.ts';
import { systemClock } from '../clock.ts';

export interface DemoContext {
  config: Config;
  apiUrl: string;
  logger: Logger;
  headKey: SigningKey;
  headCertificatePem: string;
  say: (line: string) => void;
  /** Sends one signed inbound transfer request from the national side; resolves with its requestId. */
  sendInboundTransfer?: ((toAgencyCode: string) => Promise<string | null>) | undefined;
  /** Waits until the worker has settled every batch and transfer. */
  waitForSettled: () => Promise<void>;
  /**
   * Makes the national side already hold a newer version of this person (for a STALE_VERSION rejection);
   * absent when rehearsing against a national side the demo does not control.
   */
  preloadNewerNationalVersion?: ((personalId: string) => Promise<void>) | undefined;
}

export interface DemoSummary {
  period: string;
  entered: number;
  returned: number;
  agencyApprovals: number;
  provinceApproved: number;
  batches: Record<string, number>;
  synced: number;
  rejected: Array<{ personalId: string; code: string; message: string }>;
  transfers: Array<{ requestId: string; state: string }>;
  windowOverride: boolean;
  /** STALE_VERSION rejections resolved: rebased on the national version, approved again and sent. */
  resolved: Array<{ personalId: string; nationalVersion: number; differences: number; state: string; phienBan: number | null }>;
  /** FAILED batches the operator re-ran (what the console's "Chạy lại" button does). */
  rerun: Array<{ batchId: string; code: string }>;
}

async function call<T = unknown>(ctx: DemoContext, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${ctx.apiUrl}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

async function must<T = unknown>(ctx: DemoContext, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await call<T>(ctx, token, method, path, body);
  if (r.status >= 400) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

const token = (role: Role, agency: string, subject: string, personalId?: string) =>
  issueDevToken({ role, agency, subject, ...(personalId ? { personalId } : {}) });

interface PersonSummary { personalId: string; employingAgencyCode: string; fullName: string }

export async function runMonth(ctx: DemoContext, options: { changes: number }): Promise<DemoSummary> {
  const { config } = ctx;
  const province = config.provinceCode;
  const operator = await token('PROVINCE_OPERATOR', province, 'snv-van-hanh');
  const now = systemClock.now();
  const period = periodOf(now);

  // 1. Entry: employees and unit officers submit changes with their supporting documents.
  const persons = (await must<{ persons: PersonSummary[] }>(ctx, operator, 'GET', `/api/v1/persons?limit=${options.changes + 2}`)).persons;
  const changeIds: string[] = [];
  for (const [i, p] of persons.slice(0, options.changes).entries()) {
    const staff = await token('STAFF', p.employingAgencyCode, `nv-${p.personalId.slice(-4)}`, p.personalId);
    const record = await must<{ profile: Record<string, unknown> }>(ctx, staff, 'GET', `/api/v1/persons/${p.personalId}`);
    const profile = i % 3 === 0
      ? { ...record.profile, SoDienThoai: `09${String(10_000_000 + i).slice(-8)}` }
      : { ...record.profile, NoiOHienNay: `Số ${i + 1}, đường Trần Hưng Đạo, ${String(record.profile.NoiOHienNay ?? 'tỉnh')}`.slice(0, 200) };
    const created = await must<{ id: string }>(ctx, staff, 'POST', `/api/v1/persons/${p.personalId}/changes`, {
      profile, reason: 'Cập nhật thông tin cá nhân',
      attachments: [{ name: 'to-khai.pdf', mediaType: 'application/pdf', contentBase64: Buffer.from(`%PDF-1.4 tờ khai ${p.fullName}`).toString('base64') }],
    });
    changeIds.push(created.id);
  }
  // The national side already holds a newer version of the first person: it will refuse that record.
  if (ctx.preloadNewerNationalVersion) await ctx.preloadNewerNationalVersion(persons[0]!.personalId);
  ctx.say(`1. Nhập liệu: ${changeIds.length} đề nghị cập nhật kèm bản số hóa tài liệu`);

  // 2. Verification by each unit's HR officer; one change goes back with a reason.
  let returned = 0;
  for (const [i, id] of changeIds.entries()) {
    const agency = persons[i]!.employingAgencyCode;
    const officer = await token('UNIT_OFFICER', agency, `tccb@${agency}`);
    if (i === changeIds.length - 1) {
      await must(ctx, officer, 'POST', `/api/v1/changes/${id}/return`, { reason: 'Thiếu bản sao quyết định kèm theo' });
      returned += 1;
    } else {
      await must(ctx, officer, 'POST', `/api/v1/changes/${id}/verify`, {});
    }
  }
  ctx.say(`2. Thẩm định (cán bộ tổ chức của đơn vị): ${changeIds.length - returned} đạt, ${returned} trả lại kèm lý do`);

  // 3. Agency heads approve with their USB tokens (two-step signing), inside the last-5-days window —
  //    or, outside it, under an override Sở Nội vụ grants (audited).
  const agencies = [...new Set(persons.slice(0, options.changes - returned).map((p) => p.employingAgencyCode))].sort((a, b) => b.length - a.length);
  const windowOverride = !isInApprovalWindow(now);
  if (windowOverride) {
    // The window opens on a Vietnamese date: 27/11 00:00 +07:00 is still the 26th in UTC.
    ctx.say(`   Hôm nay ngoài thời hạn phê duyệt (từ ${viDate(approvalWindow(period).opensAt)} đến hết ${viDate(lastDayOfMonth(period))}): Sở Nội vụ cho phép phê duyệt ngoài thời hạn (ghi nhật ký kiểm toán)`);
  }
  let agencyApprovals = 0;
  for (const agency of agencies) {
    if (windowOverride) {
      await must(ctx, operator, 'POST', '/api/v1/approvals/window-overrides', { agencyCode: agency, period, reason: 'Demo: phê duyệt ngoài 5 ngày cuối tháng',
        validUntil: new Date(now.getTime() + 3_600_000).toISOString() });
    }
    if (await headApproves(ctx, operator, agency, period)) agencyApprovals += 1;
  }
  ctx.say(`3. Thủ trưởng cơ quan, đơn vị: ${agencyApprovals} danh sách phê duyệt đã ký số (CAdES-BES; đã kiểm tra chuỗi chứng thư, thời điểm ký, mục đích sử dụng khóa, CRL)`);

  // 4. Sở Nội vụ approves everything agencies approved, with the organisation key.
  const province_ = await must<{ count: number }>(ctx, operator, 'POST', '/api/v1/approvals/province', { period });
  ctx.say(`4. Sở Nội vụ: phê duyệt ${province_.count} đề nghị bằng chữ ký số của cơ quan`);

  // 5. Month-end push, by the worker through the queue, against a national side that misbehaves.
  const transfers: DemoSummary['transfers'] = [];
  if (!ctx.sendInboundTransfer) ctx.say('   (bỏ qua hồ sơ chuyển đến: cần hệ thống quốc gia gửi yêu cầu; với --serve, API tiếp tục chạy để nhận)');
  else {
    const requestId = await ctx.sendInboundTransfer(agencies.at(-1)!);
    if (requestId) transfers.push({ requestId, state: 'QUEUED' });
  }
  const built = await must<{ batches: unknown[] }>(ctx, operator, 'POST', '/api/v1/batches/build', { period });
  ctx.say(`5. Cuối tháng: lập ${built.batches.length} gói đồng bộ đã ký số; worker gửi lên hệ thống quốc gia (đang giả lập lỗi)`);
  await ctx.waitForSettled();
  // A batch refused for good ends FAILED and waits for an operator: re-run it as the console's button does.
  const rerun: DemoSummary['rerun'] = [];
  const failed = (await must<{ batches: Array<{ batchId: string; lastErrorCode: string | null }> }>(ctx, operator, 'GET', '/api/v1/batches?state=FAILED&limit=50')).batches;
  for (const b of failed) {
    ctx.say(`   Gói ${b.batchId} FAILED (${b.lastErrorCode ?? 'UNKNOWN'}): cán bộ vận hành bấm "Chạy lại" trên bảng điều khiển (Đồng bộ)`);
    await must(ctx, operator, 'POST', `/api/v1/batches/${encodeURIComponent(b.batchId)}/rerun`, {});
    rerun.push({ batchId: b.batchId, code: b.lastErrorCode ?? 'UNKNOWN' });
  }
  if (rerun.length) await ctx.waitForSettled();
  const batches = (await must<{ batches: Array<{ state: string }> }>(ctx, operator, 'GET', `/api/v1/batches?limit=500`)).batches;
  const byState: Record<string, number> = {};
  for (const b of batches) byState[b.state] = (byState[b.state] ?? 0) + 1;
  const rejected: DemoSummary['rejected'] = [];
  let synced = 0;
  for (const id of changeIds) {
    const detail = await must<{ change: { state: string; personalId: string; rejectionCode: string | null; rejectionMessage: string | null } }>(ctx, operator, 'GET', `/api/v1/changes/${id}`);
    if (detail.change.state === 'SYNCED') synced += 1;
    if (detail.change.state === 'REJECTED_BY_NATIONAL') {
      rejected.push({ personalId: detail.change.personalId, code: detail.change.rejectionCode ?? '', message: detail.change.rejectionMessage ?? '' });
    }
  }
  ctx.say(`   Đã gửi: ${batches.length} gói (${Object.entries(byState).map(([s, n]) => `${n} ${s}`).join(', ')})`);
  ctx.say(`6. Biên nhận: ${synced} hồ sơ đã đồng bộ, ${rejected.length} hồ sơ bị hệ thống quốc gia từ chối`);
  for (const t of transfers) {
    const state = await call<{ state: string }>(ctx, operator, 'GET', `/api/v1/transfers/${t.requestId}`);
    t.state = state.status === 200 ? state.json.state : `HTTP ${state.status}`;
    ctx.say(`7. Yêu cầu chuyển hồ sơ đến tỉnh ${t.requestId}: ${t.state}`);
  }
  const resolved = await resolveStale(ctx, operator, period, changeIds);
  return { period, entered: changeIds.length, returned, agencyApprovals, provinceApproved: province_.count, batches: byState, synced, rejected, transfers, windowOverride, rerun, resolved };
}

/** The agency head signs the agency's VERIFIED changes of `period` in two steps; false when there were none. */
async function headApproves(ctx: DemoContext, operator: string, agency: string, period: string): Promise<boolean> {
  const subject = `thu-truong@${agency}`;
  const head = await token('AGENCY_HEAD', agency, subject);
  // Sở Nội vụ registers the head's token certificate first, as it does for every approver's account
  // (a second run of the demo finds it registered already).
  const registered = await call<{ code?: string }>(ctx, operator, 'POST', `/api/v1/approvers/${encodeURIComponent(subject)}/certificates`,
    { certificatePem: ctx.headCertificatePem });
  if (registered.status >= 400 && registered.json.code !== 'CERT_ALREADY_REGISTERED') {
    throw new Error(`registering the head certificate of ${agency}: ${JSON.stringify(registered.json)}`);
  }
  const started = await call<{ sessionId: string; signedAttributesBase64: string; count: number }>(ctx, head, 'POST', '/api/v1/approvals/sessions',
    { level: 'CO_QUAN', agencyCode: agency, period, certificatePem: ctx.headCertificatePem });
  if (started.status === 422 && (started.json as unknown as { code: string }).code === 'NOTHING_TO_APPROVE') return false; // a parent already covered it
  if (started.status >= 400) throw new Error(`approval session for ${agency}: ${JSON.stringify(started.json)}`);
  // The "USB token": signs the attributes the gateway handed out.
  const value = await signPreparedDigest(ctx.headKey, Buffer.from(started.json.signedAttributesBase64, 'base64'));
  await must(ctx, head, 'POST', `/api/v1/approvals/sessions/${started.json.sessionId}/complete`, { signatureValueBase64: Buffer.from(value).toString('base64') });
  return true;
}

interface Comparison { national: { version: number }; nextVersion: number; differences: unknown[] }

/**
 * 8. The way out of each STALE_VERSION: Sở Nội vụ compares with the national version and rebases the
 * change on it; the unit verifies, the agency head and Sở Nội vụ sign again, and the worker sends it.
 */
async function resolveStale(ctx: DemoContext, operator: string, period: string, changeIds: string[]): Promise<DemoSummary['resolved']> {
  // Another Sở Nội vụ officer compares and rebases: whoever makes the new change may not approve it (duties.ts).
  const reconciler = await token('PROVINCE_OPERATOR', ctx.config.provinceCode, 'snv-doi-soat');
  type Detail = { change: { id: string; state: string; personalId: string; agencyCode: string; rejectionCode: string | null } };
  const stale: Detail['change'][] = [];
  for (const id of changeIds) {
    const { change } = await must<Detail>(ctx, operator, 'GET', `/api/v1/changes/${id}`);
    if (change.state === 'REJECTED_BY_NATIONAL' && change.rejectionCode === 'STALE_VERSION') stale.push(change);
  }
  if (stale.length === 0) return [];
  const rebased: Array<{ id: string; personalId: string; agencyCode: string; comparison: Comparison }> = [];
  for (const c of stale) {
    const comparison = await must<Comparison>(ctx, reconciler, 'GET', `/api/v1/changes/${c.id}/national`);
    const { change } = await must<{ change: { id: string } }>(ctx, reconciler, 'POST', `/api/v1/changes/${c.id}/rebase`, { nationalVersion: comparison.national.version });
    ctx.say(`8. STALE_VERSION của ${c.personalId.slice(0, 3)}*******${c.personalId.slice(-2)}: CSDL quốc gia đang ở phiên bản ${comparison.national.version}, `
      + `${comparison.differences.length} trường khác; đã lập lại thành đề nghị ${change.id} (phiên bản ${comparison.nextVersion} khi được phê duyệt)`);
    const officer = await token('UNIT_OFFICER', c.agencyCode, `tccb@${c.agencyCode}`);
    await must(ctx, officer, 'POST', `/api/v1/changes/${change.id}/verify`, {});
    rebased.push({ id: change.id, personalId: c.personalId, agencyCode: c.agencyCode, comparison });
  }
  for (const agency of new Set(rebased.map((r) => r.agencyCode))) await headApproves(ctx, operator, agency, period);
  await must(ctx, operator, 'POST', '/api/v1/approvals/province', { period });
  await must(ctx, operator, 'POST', '/api/v1/batches/build', { period });
  await ctx.waitForSettled();
  const resolved: DemoSummary['resolved'] = [];
  for (const r of rebased) {
    const { change } = await must<Detail>(ctx, operator, 'GET', `/api/v1/changes/${r.id}`);
    const person = await must<{ syncedVersion: number }>(ctx, operator, 'GET', `/api/v1/persons/${r.personalId}`);
    resolved.push({ personalId: r.personalId, nationalVersion: r.comparison.national.version, differences: r.comparison.differences.length,
      state: change.state, phienBan: change.state === 'SYNCED' ? person.syncedVersion : null });
  }
  ctx.say(`   kết quả: ${resolved.map((r) => `${r.state} ở phiên bản ${r.phienBan ?? '—'}`).join(', ')}`);
  return resolved;
}

/** `2026-11` → `tháng 11/2026`. */
const viPeriod = (period: string) => `tháng ${period.slice(5, 7)}/${period.slice(0, 4)}`;

export function formatDemoSummary(s: DemoSummary): string {
  const row = (label: string, value: string | number) => `  ${label.padEnd(34)} ${value}`;
  const lines = [
    `Tổng kết ${viPeriod(s.period)}`,
    row('Đề nghị cập nhật đã nhập', s.entered),
    row('Trả lại đơn vị', s.returned),
    row('Thủ trưởng đã phê duyệt', `${s.agencyApprovals}${s.windowOverride ? ' (ngoài thời hạn, có cho phép ghi nhật ký kiểm toán)' : ''}`),
    row('Sở Nội vụ đã phê duyệt', s.provinceApproved),
    row('Gói đồng bộ', Object.entries(s.batches).map(([k, v]) => `${k} ${v}`).join(', ') || 'không có'),
    row('Gói chạy lại từ bảng điều khiển', s.rerun.map((r) => `${r.batchId} (${r.code})`).join(', ') || 'không có'),
    row('Đã đồng bộ lên CSDL quốc gia', s.synced),
    row('Bị hệ thống quốc gia từ chối', s.rejected.length),
    ...s.rejected.map((r) => `    ${r.personalId.slice(0, 3)}*******${r.personalId.slice(-2)} ${r.code}: ${r.message}`),
    row('Hồ sơ chuyển đến tỉnh', s.transfers.map((t) => `${t.requestId} ${t.state}`).join(', ') || 'không có'),
    row('STALE_VERSION đã xử lý', s.resolved.map((r) => `phiên bản quốc gia ${r.nationalVersion} → ${r.state} phiên bản ${r.phienBan ?? '—'}`).join(', ') || 'không có'),
  ];
  return lines.join('\n');
}
