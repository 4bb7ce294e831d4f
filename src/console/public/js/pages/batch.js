// One batch (GET /api/v1/batches/{id}): its state, attempts, last error, receipt, its records with the
// national side's rejection reasons, and its audit trail, where a re-run is shown linked to the failure
// it answers (BATCH_FAILED → BATCH_RERUN). A FAILED batch can be re-run by a Sở Nội vụ operator
// (POST /api/v1/batches/{id}/rerun: same batchId, same bytes); the page then follows it until it settles.
import { api } from '../api.js';
import { errorBox, h, notice, num, replace, section, table, when } from '../dom.js';
import { AUDIT_ACTIONS, BATCH_STATES, RECORD_OUTCOMES, SETTLED_BATCH_STATES, badge, batchBadge } from '../labels.js';
import { personal, session } from '../session.js';
import { rerunPanel } from './rerun.js';
import { stalePanel } from './stale-version.js';

const fact = (label, ...value) => [h('dt', null, label), h('dd', null, ...value)];

function facts(b, records) {
  const rejected = records.filter((r) => r.outcome === 'REJECTED').length;
  const accepted = records.filter((r) => r.outcome === 'ACCEPTED').length;
  return h('dl', { class: 'facts' },
    fact('Trạng thái', batchBadge(b.state, { 'data-testid': 'batch-state' })),
    fact('Kỳ', b.period ?? 'Không theo kỳ'),
    fact('Số hồ sơ', num(b.recordCount), records.length ? ` (được chấp nhận ${num(accepted)}, bị từ chối ${num(rejected)})` : ''),
    fact('Số lần gửi', h('span', { 'data-testid': 'batch-attempts' }, num(b.attempts))),
    fact('Số lần chạy lại', num(b.rerunCount)),
    fact('Lỗi gần nhất', b.lastErrorCode ? h('span', null, h('code', null, b.lastErrorCode), ` ${b.lastError ?? ''}`) : '—'),
    fact('Biên nhận', b.receiptId ? h('span', null, h('code', null, b.receiptId), ` · nhận lúc ${when(b.receivedAt)}`) : '—'),
    fact('Hạn gửi lại', when(b.deadlineAt)),
    fact('Nội dung đã ký', h('code', { title: b.payloadSha256 }, `SHA-256 ${String(b.payloadSha256).slice(0, 16)}…`), ` · ${num(b.payloadBytes)} byte`),
    fact('Tạo lúc', when(b.createdAt)),
    fact('Cập nhật lúc', when(b.updatedAt)));
}

function recordsSection(records) {
  const onlyRejected = h('input', { type: 'checkbox', id: 'only-rejected' });
  const body = h('div');
  const draw = () => {
    const shown = onlyRejected.checked ? records.filter((r) => r.outcome === 'REJECTED') : records;
    replace(body, table(['Số định danh', 'Mã thay đổi', { label: 'Phiên bản', class: 'num' }, 'Kết quả', 'Lý do từ chối', 'Cách xử lý'], shown.map((r) =>
      h('tr', { 'data-outcome': r.outcome },
        h('td', null, h('code', null, personal(r.personalId))), h('td', null, h('code', { class: 'small' }, r.changeId)), h('td', { class: 'num' }, num(r.version)),
        h('td', null, badge(RECORD_OUTCOMES, r.outcome, r.outcome === 'ACCEPTED' ? 'green' : r.outcome === 'REJECTED' ? 'red' : 'grey')),
        h('td', null, r.code ? h('span', null, h('code', null, r.code), ` ${personal(r.message ?? '')}`) : '—'),
        h('td', { 'data-testid': 'guidance' }, r.guidance ? r.guidance.advice : '—',
          r.guidance?.action === 'REBASE_ON_NATIONAL' && session.hasRole('PROVINCE_OPERATOR') ? stalePanel(r.changeId) : null))),
    { empty: onlyRejected.checked ? 'Không có hồ sơ nào bị từ chối.' : 'Gói không có hồ sơ.' }));
  };
  onlyRejected.addEventListener('change', draw);
  draw();
  return section(`Hồ sơ trong gói (${records.length})`,
    session.seesPersonalIds() ? null : h('p', { class: 'muted' }, 'Số định danh cá nhân được che một phần đối với vai trò quản trị hệ thống.'),
    h('label', { class: 'inline' }, onlyRejected, ' Chỉ hồ sơ bị từ chối'), body);
}

function detailsText(row) {
  const d = row.details ?? {};
  switch (row.action) {
    case 'BATCH_BUILD': return `${num(d.records)} hồ sơ, ${num(d.bytes)} byte, kỳ ${d.period ?? '—'}`;
    case 'BATCH_FAILED': return `${d.code ?? ''} ${d.message ?? ''}`.trim();
    case 'BATCH_RECEIPT': return `biên nhận ${d.receiptId ?? ''}: ${d.status ?? ''}, chấp nhận ${num(d.accepted)}, từ chối ${num(d.rejected)}${d.replayed ? ' (trả lời lại)' : ''}`;
    case 'BATCH_RERUN': return `lần chạy lại thứ ${num(d.rerun)}, lỗi trước đó ${d.lastErrorCode ?? '—'}, cùng nội dung SHA-256 ${String(d.payloadSha256 ?? '').slice(0, 12)}…`;
    default: return personal(JSON.stringify(d));
  }
}

function auditSection(rows) {
  const ordered = [...rows].sort((a, b) => Number(a.seq) - Number(b.seq));
  const links = new Map(ordered.filter((r) => r.action === 'BATCH_RERUN' && r.details?.failedAuditSeq).map((r) => [String(r.details.failedAuditSeq), r.seq]));
  const trs = ordered.map((r) => {
    const failedSeq = r.action === 'BATCH_RERUN' ? r.details?.failedAuditSeq : null;
    const answeredBy = links.get(String(r.seq));
    return h('tr', { id: `audit-${r.seq}`, 'data-action': r.action, class: r.action === 'BATCH_FAILED' ? 'row-failed' : r.action === 'BATCH_RERUN' ? 'row-rerun' : null },
      h('td', { class: 'num' }, `#${r.seq}`), h('td', null, when(r.at)),
      h('td', null, AUDIT_ACTIONS[r.action] ?? r.action, ' ', h('span', { class: 'badge-code' }, r.action)),
      h('td', null, r.actor, r.role ? h('small', null, ` (${r.role})`) : null),
      h('td', null, detailsText(r),
        failedSeq ? h('div', { class: 'link-note', 'data-testid': 'rerun-link' }, '↳ chạy lại cho lần thất bại ', h('a', { href: `#audit-${failedSeq}`, onclick: jump(failedSeq) }, `#${failedSeq}`)) : null,
        answeredBy ? h('div', { class: 'link-note' }, '↳ đã được chạy lại ở ', h('a', { href: `#audit-${answeredBy}`, onclick: jump(answeredBy) }, `#${answeredBy}`)) : null));
  });
  return section('Nhật ký kiểm toán của gói', table([{ label: 'Số', class: 'num' }, 'Thời điểm', 'Thao tác', 'Người thực hiện', 'Chi tiết'], trs,
    { empty: 'Chưa có dòng nhật ký nào.' }));
}

/** In-page jumps must not change the route (the hash is the router's). */
const jump = (seq) => (event) => {
  event.preventDefault();
  document.getElementById(`audit-${seq}`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
};

export function render(main, ctx) {
  const batchId = ctx.segments[1];
  const head = h('div', { class: 'page-head' }, h('h1', null, 'Gói đồng bộ ', h('code', null, batchId)), h('a', { href: '#/goi-dong-bo' }, '← Danh sách gói'));
  const body = h('div', null, h('p', { class: 'muted' }, 'Đang tải…'));
  replace(main, head, body);
  let stopped = false;
  let stopPolling = null;

  async function load({ openRerun = false, outcome = null } = {}) {
    try {
      const [detail, audit] = await Promise.all([
        api(`/batches/${encodeURIComponent(batchId)}`),
        api('/audit', { query: { entityType: 'batch', entityId: batchId, limit: 200 } }).catch((err) => ({ error: err })),
      ]);
      if (stopped) return;
      const b = detail.batch;
      const rerun = b.state === 'FAILED' ? rerunPanel(b, { open: openRerun, onStarted: follow }) : null;
      replace(body, outcome, section('Thông tin gói', facts(b, detail.records)), rerun, recordsSection(detail.records),
        audit.error ? section('Nhật ký kiểm toán của gói', errorBox(audit.error)) : auditSection(audit.rows));
    } catch (err) {
      if (!stopped) replace(body, errorBox(err));
    }
  }

  /** After a re-run: the batch's state every second until it settles, then the whole page again. */
  function follow(progress) {
    const started = Date.now();
    let timer = null;
    const tick = async () => {
      try {
        const { batch } = await api(`/batches/${encodeURIComponent(batchId)}`);
        if (stopped) return;
        progress.update(batch, Date.now() - started);
        if (SETTLED_BATCH_STATES.has(batch.state)) {
          const ok = batch.state !== 'FAILED';
          return load({ outcome: notice(`Chạy lại xong: gói ${ok ? 'đã được CSDL quốc gia tiếp nhận' : 'lại thất bại'} — ${BATCH_STATES[batch.state]} (${batch.state}).`, ok ? 'success' : 'error') });
        }
      } catch (err) {
        progress.error(err);
      }
      if (!stopped && Date.now() - started < 10 * 60_000) timer = setTimeout(tick, Date.now() - started < 30_000 ? 1_000 : 3_000);
    };
    stopPolling = () => clearTimeout(timer);
    tick();
  }

  load({ openRerun: ctx.params.get('chay-lai') === '1' });
  return () => {
    stopped = true;
    stopPolling?.();
  };
}
