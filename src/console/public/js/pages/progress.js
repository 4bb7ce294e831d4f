// Tiến độ kỳ: how far the period's changes got in each agency of the user's subtree
// (GET /api/v1/ops/progress), with what was returned, rejected by the national side, or is overdue.
import { api } from '../api.js';
import { errorBox, h, num, replace, section, table } from '../dom.js';

const COLUMNS = [
  ['entered', 'Đã nhập'], ['verified', 'Đã kiểm tra'], ['agencyApproved', 'Cơ quan đã duyệt'], ['provinceApproved', 'Sở Nội vụ đã duyệt'],
  ['synced', 'Đã đồng bộ'], ['returned', 'Trả lại'], ['rejected', 'Bị từ chối'], ['overdue', 'Quá hạn'],
];
const WARN = new Set(['returned', 'rejected', 'overdue']);

function bar(synced, entered) {
  const pct = entered ? Math.round((100 * synced) / entered) : 0;
  return h('div', { class: 'bar', title: `${pct}% đã đồng bộ`, role: 'img', 'aria-label': `${pct}% đã đồng bộ` }, h('span', { style: null, 'data-pct': pct }));
}

function cells(counts) {
  return COLUMNS.map(([key]) => h('td', { class: `num${WARN.has(key) && counts[key] > 0 ? ` warn-${key}` : ''}` }, num(counts[key])));
}

function summary(totals) {
  return h('div', { class: 'tiles' }, COLUMNS.map(([key, label]) =>
    h('div', { class: `tile${WARN.has(key) && totals[key] > 0 ? ' tile-warn' : ''}`, 'data-key': key }, h('span', { class: 'tile-value' }, num(totals[key])), h('span', { class: 'tile-label' }, label))));
}

export function render(main, ctx) {
  // Without a chosen period the gateway answers for its current one (its clock, Vietnam time), never the browser's.
  const period = ctx.params.get('ky') ?? '';
  const agency = ctx.params.get('don-vi') ?? '';
  const body = h('div', null, h('p', { class: 'muted' }, 'Đang tải…'));
  const periodInput = h('input', { type: 'month', id: 'period', value: period, required: true });
  const agencyInput = h('input', { type: 'text', id: 'agency', value: agency, placeholder: 'Mặc định: đơn vị của bạn', size: 24 });
  const form = h('form', { class: 'filters', onsubmit: (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (periodInput.value) q.set('ky', periodInput.value);
    if (agencyInput.value.trim()) q.set('don-vi', agencyInput.value.trim());
    ctx.navigate(`#/tien-do${q.size ? `?${q}` : ''}`);
  } }, h('label', null, 'Kỳ ', periodInput), h('label', null, 'Đơn vị (mã định danh) ', agencyInput), h('button', { type: 'submit' }, 'Xem'));
  replace(main, h('h1', null, 'Tiến độ kỳ'), form, body);

  api('/ops/progress', { query: { period, agency } }).then((p) => {
    periodInput.value = p.period;
    const rows = p.agencies.map((a) => {
      const tr = h('tr', { 'data-agency': a.agencyCode }, h('td', null, h('code', null, a.agencyCode)), h('td', null, a.agencyName ?? '—'), cells(a), h('td', null, bar(a.synced, a.entered)));
      return tr;
    });
    const foot = h('tr', null, h('th', { scope: 'row', colspan: 2 }, 'Tổng cộng'), cells(p.totals), h('td', null, bar(p.totals.synced, p.totals.entered)));
    replace(body,
      h('p', { class: 'muted' }, `Kỳ ${p.period} · phạm vi ${p.agencyCode} · quá hạn tính theo ngày làm việc đến ngày ${p.asOf}. `,
        p.current ? 'Kỳ hiện tại gồm cả các thay đổi chưa được cơ quan phê duyệt.' : 'Kỳ đã qua: các thay đổi được cơ quan phê duyệt trong kỳ.'),
      summary(p.totals),
      section('Theo cơ quan, đơn vị', table(
        [{ label: 'Mã đơn vị' }, { label: 'Tên đơn vị' }, ...COLUMNS.map(([, label]) => ({ label, class: 'num' })), { label: 'Đồng bộ' }],
        rows, { empty: 'Chưa có dữ liệu: chưa có thay đổi nào trong kỳ này.', foot: p.agencies.length ? foot : null })));
    for (const span of body.querySelectorAll('.bar span')) span.style.width = `${span.dataset.pct}%`;
  }, (err) => replace(body, errorBox(err)));
}
