// Yêu cầu chuyển dữ liệu: records coming into the province (GET /api/v1/transfers): inbound requests of
// the national side (§7) and pulls agencies asked for, with their state, acknowledgement and outcome.
import { api } from '../api.js';
import { errorBox, h, notice, num, replace, section, table, when } from '../dom.js';
import { ACK_STATES, TRANSFER_SOURCES, TRANSFER_STATES, badge, transferBadge } from '../labels.js';
import { personal } from '../session.js';

function row(t) {
  return h('tr', { 'data-request': t.requestId },
    h('td', null, h('code', { class: 'small' }, t.requestId)),
    h('td', null, TRANSFER_SOURCES[t.source] ?? t.source),
    h('td', null, h('code', null, personal(t.personalId))),
    h('td', null, t.fromAgencyCode ?? '—', ' → ', t.toAgencyCode),
    h('td', null, t.decisionNo ?? '—', t.effectiveDate ? h('small', null, ` (hiệu lực ${t.effectiveDate})`) : null),
    h('td', null, transferBadge(t.state)),
    h('td', null, t.ackState ? badge(ACK_STATES, t.ackState, t.ackState === 'ACKED' ? 'green' : t.ackState === 'FAILED' ? 'red' : 'blue') : '—'),
    h('td', null, t.outcomeCode ? h('span', null, h('code', null, t.outcomeCode), ` ${personal(t.outcomeMessage ?? '')}`) : t.lastErrorCode ? h('code', null, t.lastErrorCode) : '—'),
    h('td', { class: 'num' }, num(t.attempts)),
    h('td', null, when(t.createdAt)));
}

export function render(main, ctx) {
  const state = ctx.params.get('trang-thai') ?? '';
  const select = h('select', { id: 'state' }, h('option', { value: '' }, 'Tất cả'),
    Object.entries(TRANSFER_STATES).map(([code, label]) => h('option', { value: code, selected: code === state }, `${label} (${code})`)));
  const form = h('form', { class: 'filters', onsubmit: (event) => {
    event.preventDefault();
    ctx.navigate(`#/chuyen-du-lieu${select.value ? `?trang-thai=${select.value}` : ''}`);
  } }, h('label', null, 'Trạng thái ', select), h('button', { type: 'submit' }, 'Lọc'));
  const body = h('div', null, h('p', { class: 'muted' }, 'Đang tải…'));
  replace(main, h('h1', null, 'Yêu cầu chuyển dữ liệu'), form, body);

  api('/transfers', { query: { state, limit: 200 } }).then(({ transfers }) => {
    replace(body, section(`Yêu cầu chuyển đến (${transfers.length})`, table(
      ['Mã yêu cầu', 'Nguồn', 'Số định danh', 'Từ → đến đơn vị', 'Quyết định', 'Trạng thái', 'Phản hồi quốc gia', 'Kết quả', { label: 'Số lần thử', class: 'num' }, 'Nhận lúc'],
      transfers.map(row), { empty: 'Chưa có dữ liệu: chưa có yêu cầu chuyển dữ liệu nào.' })));
  }, (err) => {
    // A gateway without the transfers module answers ROUTE_NOT_FOUND: say so plainly.
    replace(body, err.code === 'ROUTE_NOT_FOUND'
      ? notice('Chưa có dữ liệu: máy chủ này chưa có chức năng yêu cầu chuyển dữ liệu.', 'info')
      : errorBox(err));
  });
}
