// Gói đồng bộ: the batches for the national side (GET /api/v1/batches) with state, attempts, last
// error and receipt; failed batches first, each with its re-run (on the batch's page).
import { api } from '../api.js';
import { errorBox, h, num, replace, section, table, when } from '../dom.js';
import { BATCH_STATES, batchBadge } from '../labels.js';
import { session } from '../session.js';

const REFRESH_MS = 15_000;

const link = (batchId, text = batchId) => h('a', { href: `#/goi-dong-bo/${encodeURIComponent(batchId)}`, 'data-batch': batchId }, text);

function lastError(b) {
  if (!b.lastErrorCode) return '—';
  return h('span', null, h('code', null, b.lastErrorCode), b.lastError ? ` ${b.lastError}` : '');
}

function row(b) {
  return h('tr', { 'data-batch-row': b.batchId },
    h('td', { class: 'nowrap' }, link(b.batchId)), h('td', { class: 'nowrap' }, b.period ?? '—'), h('td', null, batchBadge(b.state)),
    h('td', { class: 'num' }, num(b.recordCount)), h('td', { class: 'num' }, num(b.attempts)), h('td', null, lastError(b)),
    h('td', null, b.receiptId ? h('span', null, h('code', null, b.receiptId), h('br'), h('small', null, when(b.receivedAt))) : '—'),
    h('td', { class: 'num' }, num(b.rerunCount)), h('td', null, when(b.createdAt)));
}

const HEAD = ['Mã gói', 'Kỳ', 'Trạng thái', { label: 'Số hồ sơ', class: 'num' }, { label: 'Số lần gửi', class: 'num' }, 'Lỗi gần nhất',
  'Biên nhận', { label: 'Số lần chạy lại', class: 'num' }, 'Tạo lúc'];

function failedSection(failed) {
  if (!failed.length) return null;
  const canRerun = session.hasRole('PROVINCE_OPERATOR');
  return section(`Gói thất bại cần xử lý (${failed.length})`,
    h('p', { class: 'muted' }, 'Khắc phục nguyên nhân, rồi chạy lại: gói được gửi lại với cùng mã gói và cùng nội dung đã ký; thao tác được ghi vào nhật ký kiểm toán.'),
    h('ul', { class: 'failed-list' }, failed.map((b) => h('li', { 'data-failed': b.batchId },
      link(b.batchId), ' ', batchBadge(b.state), ' ', lastError(b), ' ',
      canRerun ? h('a', { class: 'button danger small', href: `#/goi-dong-bo/${encodeURIComponent(b.batchId)}?chay-lai=1` }, 'Chạy lại') : null))));
}

export function render(main, ctx) {
  const state = ctx.params.get('trang-thai') ?? '';
  const period = ctx.params.get('ky') ?? '';
  const stateSelect = h('select', { id: 'state' }, h('option', { value: '' }, 'Tất cả'),
    Object.entries(BATCH_STATES).map(([code, label]) => h('option', { value: code, selected: code === state }, `${label} (${code})`)));
  const periodInput = h('input', { type: 'month', id: 'period', value: period });
  const form = h('form', { class: 'filters', onsubmit: (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (stateSelect.value) q.set('trang-thai', stateSelect.value);
    if (periodInput.value) q.set('ky', periodInput.value);
    ctx.navigate(`#/goi-dong-bo${q.size ? `?${q}` : ''}`);
  } }, h('label', null, 'Trạng thái ', stateSelect), h('label', null, 'Kỳ ', periodInput), h('button', { type: 'submit' }, 'Lọc'));
  const stamp = h('span', { class: 'muted' });
  const failedBox = h('div');
  const body = h('div', null, h('p', { class: 'muted' }, 'Đang tải…'));
  replace(main, h('div', { class: 'page-head' }, h('h1', null, 'Gói đồng bộ'), stamp), form, failedBox, body);

  async function load() {
    try {
      const [list, failed] = await Promise.all([
        api('/batches', { query: { state, period, limit: 200 } }),
        state === 'FAILED' ? Promise.resolve(null) : api('/batches', { query: { state: 'FAILED', limit: 100 } }),
      ]);
      replace(failedBox, failedSection((failed ?? list).batches));
      replace(body, section(`Danh sách gói (${list.batches.length})`, table(HEAD, list.batches.map(row), { empty: 'Chưa có dữ liệu: chưa có gói đồng bộ nào.' })));
      replace(stamp, `Cập nhật lúc ${when(new Date().toISOString())}`);
    } catch (err) {
      replace(body, errorBox(err));
    }
  }
  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}
