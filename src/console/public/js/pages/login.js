// Sign-in: the user pastes the bearer token their single sign-on issued; the gateway checks it
// (GET /api/v1/ops/me) before anything else is shown.
import { api } from '../api.js';
import { errorBox, h, replace } from '../dom.js';
import { session } from '../session.js';

export function render(main, ctx) {
  const status = h('div', { 'aria-live': 'polite' }, ctx.error ? errorBox(ctx.error) : null);
  const token = h('textarea', { id: 'token', name: 'token', rows: 6, required: true, spellcheck: 'false', autocomplete: 'off',
    placeholder: 'eyJhbGciOi…' });
  const submit = h('button', { type: 'submit', id: 'sign-in' }, 'Đăng nhập');
  const form = h('form', { class: 'login', onsubmit: async (event) => {
    event.preventDefault();
    if (!token.value.trim()) return;
    submit.disabled = true;
    replace(status, h('p', { class: 'muted' }, 'Đang kiểm tra mã truy cập…'));
    session.setToken(token.value);
    try {
      const me = await api('/ops/me');
      session.setMe(me);
      ctx.onSignedIn(me);
    } catch (err) {
      session.clear();
      replace(status, errorBox(err));
      submit.disabled = false;
    }
  } },
  h('label', { for: 'token' }, 'Mã truy cập (bearer token)'),
  token,
  h('p', { class: 'hint' }, 'Dán mã truy cập do hệ thống đăng nhập một lần (SSO) của tỉnh cấp cho bạn. Mã chỉ được giữ trong thẻ trình duyệt này ',
    '(sessionStorage) và mất khi đóng thẻ; mọi dữ liệu được lấy từ API với đúng quyền của mã.'),
  h('p', { class: 'hint' }, 'Môi trường thử nghiệm: ', h('code', null, 'csdl-gateway token --role PROVINCE_OPERATOR --agency H55')),
  submit);
  // The province's shared account (OIDC) when the gateway has it; pasting a token stays for API users and tests.
  const sso = ctx.ssoAvailable
    ? h('div', { class: 'sso' }, h('a', { class: 'button', id: 'sso-sign-in', href: '/auth/login' }, 'Đăng nhập bằng tài khoản dùng chung của tỉnh'),
      h('p', { class: 'hint' }, 'Hoặc dán mã truy cập:'))
    : null;
  replace(main, h('section', { class: 'card narrow' }, h('h1', null, 'Đăng nhập bảng điều khiển'), status, sso, form));
  token.focus();
}
