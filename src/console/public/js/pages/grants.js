// Quyền truy cập: the grants of the caller's scope (GET /api/v1/grants), a form to grant (Sở Nội vụ, ADMIN for
// Sở Nội vụ) or request (agency head) access, and revocation with a reason. The API decides who may do what
// (src/domain/grant-rules.ts); refusals are shown with their code and Vietnamese message.
import { api } from '../api.js';
import { errorBox, h, replace, when } from '../dom.js';
import { ROLES } from '../labels.js';
import { session } from '../session.js';

const GRANT_STATES = { REQUESTED: 'Đang đề nghị', ACTIVE: 'Đang hiệu lực', REVOKED: 'Đã thu hồi' };

function field(label, input) {
  return h('label', { class: 'field' }, h('span', null, label), input);
}

function grantForm(onDone) {
  const status = h('div', { 'aria-live': 'polite' });
  const subject = h('input', { name: 'subject', required: true, maxlength: 200, autocomplete: 'off' });
  const roles = session.hasRole('AGENCY_HEAD') ? ['STAFF', 'UNIT_OFFICER'] : Object.keys(ROLES);
  const role = h('select', { name: 'role' }, roles.map((r) => h('option', { value: r }, ROLES[r] ?? r)));
  const agency = h('input', { name: 'agencyCode', required: true, maxlength: 60, value: session.me()?.agencyCode ?? '' });
  const personalId = h('input', { name: 'personalId', maxlength: 12, inputmode: 'numeric', autocomplete: 'off' });
  const validTo = h('input', { name: 'validTo', type: 'date' });
  const reason = h('input', { name: 'reason', required: true, maxlength: 2000 });
  const submit = h('button', { type: 'submit', id: 'grant-submit' }, session.hasRole('AGENCY_HEAD') ? 'Gửi đề nghị' : 'Cấp quyền');
  const form = h('form', { class: 'grant-form', onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await api('/grants', { method: 'POST', body: {
        subject: subject.value.trim(), role: role.value, agencyCode: agency.value.trim(), reason: reason.value.trim(),
        ...(personalId.value.trim() ? { personalId: personalId.value.trim() } : {}),
        // The end of the chosen day in Vietnam time.
        ...(validTo.value ? { validTo: new Date(`${validTo.value}T23:59:59+07:00`).toISOString() } : {}),
      } });
      replace(status, h('p', { class: 'ok' }, 'Đã ghi nhận.'));
      form.reset();
      onDone();
    } catch (err) {
      replace(status, errorBox(err));
    } finally {
      submit.disabled = false;
    }
  } },
  field('Tài khoản (SSO)', subject), field('Vai trò', role), field('Mã đơn vị', agency), field('Số định danh (viên chức)', personalId),
  field('Hiệu lực đến (để trống: không thời hạn)', validTo), field('Lý do', reason), submit);
  return h('section', { class: 'card' }, h('h2', null, session.hasRole('AGENCY_HEAD') ? 'Đề nghị cấp quyền' : 'Cấp quyền'), status, form);
}

function row(g, reload, status) {
  const manage = session.hasRole('PROVINCE_OPERATOR', 'ADMIN');
  const act = async (path, reason) => {
    try {
      await api(`/grants/${g.id}/${path}`, { method: 'POST', body: { reason } });
      reload();
    } catch (err) {
      replace(status, errorBox(err));
    }
  };
  const reasonInput = h('input', { class: 'small', placeholder: 'Lý do', 'aria-label': 'Lý do', maxlength: 2000 });
  const actions = manage && g.state !== 'REVOKED' ? h('td', null, reasonInput,
    g.state === 'REQUESTED' ? h('button', { type: 'button', class: 'small', onclick: () => act('approve', reasonInput.value.trim() || 'Đồng ý') }, 'Duyệt') : null,
    h('button', { type: 'button', class: 'secondary small', 'data-action': 'revoke', onclick: () => act('revoke', reasonInput.value.trim()) }, 'Thu hồi')) : h('td');
  return h('tr', { 'data-grant': g.id, 'data-state': g.state },
    h('td', null, g.subject), h('td', null, ROLES[g.role] ?? g.role), h('td', null, h('code', null, g.agencyCode)),
    h('td', null, GRANT_STATES[g.state] ?? g.state), h('td', null, `${when(g.validFrom)} → ${g.validTo ? when(g.validTo) : 'không thời hạn'}`),
    h('td', null, g.reason, g.revokeReason ? ` (thu hồi: ${g.revokeReason})` : ''), h('td', null, g.grantedBy ?? `đề nghị: ${g.requestedBy}`), actions);
}

export function render(main) {
  const status = h('div', { 'aria-live': 'polite' });
  const body = h('tbody');
  const reload = async () => {
    try {
      const { grants } = await api('/grants', { query: { limit: 500 } });
      replace(body, grants.length ? grants.map((g) => row(g, reload, status)) : h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'Chưa có quyền nào.')));
    } catch (err) {
      replace(status, errorBox(err));
    }
  };
  replace(main, h('h1', null, 'Quyền truy cập'),
    h('p', { class: 'hint' }, 'Danh tính do tài khoản dùng chung của tỉnh xác nhận; quyền do Sở Nội vụ cấp, hạn chế, mở rộng hoặc thu hồi tại đây. Mọi thay đổi được ghi nhật ký kiểm toán.'),
    status, grantForm(reload),
    h('section', { class: 'card' }, h('table', { 'data-testid': 'grants' },
      h('thead', null, h('tr', null, ['Tài khoản', 'Vai trò', 'Đơn vị', 'Trạng thái', 'Hiệu lực', 'Lý do', 'Người cấp', ''].map((t) => h('th', null, t)))), body)));
  reload();
}
