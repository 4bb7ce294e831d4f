// Quyền truy cập: the grants of the caller's scope (GET /api/v1/grants), a form to grant (Sở Nội vụ, ADMIN for
// Sở Nội vụ) or request (agency head) access, and per grant: limit (hạn chế: an earlier end or a narrower
// agency), extend (mở rộng: a later end or none) and revoke, each with a reason. The API decides who may do what
// (src/domain/grant-rules.ts); refusals are shown with their code and Vietnamese message.
import { api } from '../api.js';
import { errorBox, h, replace, when } from '../dom.js';
import { ROLES } from '../labels.js';
import { session } from '../session.js';

const GRANT_STATES = { REQUESTED: 'Đang đề nghị', ACTIVE: 'Đang hiệu lực', REVOKED: 'Đã thu hồi' };

/** A chosen day (yyyy-mm-dd from a date input) as the instant its end in Vietnam time. */
const endOfDay = (day) => new Date(`${day}T23:59:59+07:00`).toISOString();

/** dd/mm/yyyy of an instant, in Vietnam time. */
const day = (iso) => when(iso).split(' ')[0];

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
        ...(validTo.value ? { validTo: endOfDay(validTo.value) } : {}),
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
  const act = async (path, body, done) => {
    try {
      const after = await api(`/grants/${g.id}/${path}`, { method: 'POST', body });
      await reload();
      if (done) replace(status, h('p', { class: 'ok', role: 'status' }, done(after)));
    } catch (err) {
      replace(status, errorBox(err));
    }
  };
  const reasonInput = h('input', { class: 'small', placeholder: 'Lý do', 'aria-label': 'Lý do', 'data-field': 'reason', maxlength: 2000 });
  const reason = () => reasonInput.value.trim();
  const until = (after) => (after.validTo ? day(after.validTo) : 'không thời hạn');
  // Hạn chế / mở rộng: a new end day (the end of that day in Vietnam time) and, to limit, a unit inside the agency.
  const newEnd = h('input', { type: 'date', class: 'small', 'aria-label': 'Hiệu lực đến mới', 'data-field': 'validTo' });
  const newAgency = h('input', { class: 'small', placeholder: 'Thu hẹp về đơn vị', 'aria-label': 'Thu hẹp về đơn vị', 'data-field': 'agencyCode', maxlength: 60 });
  const noEnd = h('input', { type: 'checkbox', 'data-field': 'noEnd' });
  const limit = () => act('limit', {
    reason: reason(),
    ...(newEnd.value ? { validTo: endOfDay(newEnd.value) } : {}),
    ...(newAgency.value.trim() ? { agencyCode: newAgency.value.trim() } : {}),
  }, (after) => `Đã hạn chế quyền của ${after.subject}: đơn vị ${after.agencyCode}, hiệu lực đến ${until(after)}.`);
  const extend = () => act('extend', { reason: reason(), validTo: noEnd.checked || !newEnd.value ? null : endOfDay(newEnd.value) },
    (after) => `Đã mở rộng quyền của ${after.subject}: hiệu lực đến ${until(after)}.`);
  const change = g.state === 'ACTIVE' ? h('div', { class: 'grant-change' }, newEnd, newAgency,
    h('label', { class: 'small' }, noEnd, ' không thời hạn'),
    h('button', { type: 'button', class: 'secondary small', 'data-action': 'limit', onclick: limit }, 'Hạn chế'),
    h('button', { type: 'button', class: 'secondary small', 'data-action': 'extend', onclick: () => {
      // Without a day, "mở rộng" means no end at all: ask for it explicitly rather than guess.
      if (!noEnd.checked && !newEnd.value) replace(status, errorBox({ code: 'MISSING_FIELD', message: 'Chọn ngày hiệu lực đến mới hoặc đánh dấu "không thời hạn".' }));
      else extend();
    } }, 'Mở rộng')) : null;
  const actions = manage && g.state !== 'REVOKED' ? h('td', null, reasonInput,
    g.state === 'REQUESTED' ? h('button', { type: 'button', class: 'small', onclick: () => act('approve', { reason: reason() || 'Đồng ý' }) }, 'Duyệt') : null,
    h('button', { type: 'button', class: 'secondary small', 'data-action': 'revoke', onclick: () => act('revoke', { reason: reason() }) }, 'Thu hồi'), change) : h('td');
  return h('tr', { 'data-grant': g.id, 'data-state': g.state },
    // A grant reserved for a transferred-in person stands under a placeholder until their first sign-in.
    h('td', null, g.subject.startsWith('personal-id:') ? ['Chờ đăng nhập lần đầu ', h('small', null, `(số định danh ${g.subject.slice(12)})`)] : g.subject),
    h('td', null, ROLES[g.role] ?? g.role), h('td', null, h('code', null, g.agencyCode)),
    h('td', null, GRANT_STATES[g.state] ?? g.state), h('td', { 'data-field': 'validity' }, `${day(g.validFrom)} → ${g.validTo ? day(g.validTo) : 'không thời hạn'}`),
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
