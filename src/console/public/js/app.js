// The console's shell: sign-in state, the navigation (only the pages the user's role may use) and a
// hash router (#/tien-do, #/goi-dong-bo, #/goi-dong-bo/{batchId}, #/chuyen-du-lieu, #/suc-khoe, #/ho-so).
import { api, closeQueueBoard, openQueueBoard, ssoLogout, ssoSession } from './api.js';
import { errorBox, h, replace } from './dom.js';
import { ROLES } from './labels.js';
import { session } from './session.js';
import * as login from './pages/login.js';
import * as progress from './pages/progress.js';
import * as batches from './pages/batches.js';
import * as batch from './pages/batch.js';
import * as transfers from './pages/transfers.js';
import * as health from './pages/health.js';
import * as grants from './pages/grants.js';
import * as records from './pages/records.js';

const OFFICERS = ['UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN'];
const OPERATORS = ['PROVINCE_OPERATOR', 'ADMIN'];

/** Pages in the navigation; the API decides what each role may read, the menu only follows it. */
const PAGES = [
  { path: 'tien-do', title: 'Tiến độ kỳ', roles: OFFICERS, page: progress },
  { path: 'goi-dong-bo', title: 'Gói đồng bộ', roles: OPERATORS, page: batches, detail: batch },
  { path: 'chuyen-du-lieu', title: 'Yêu cầu chuyển dữ liệu', roles: ['UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR'], page: transfers },
  { path: 'suc-khoe', title: 'Sức khỏe hệ thống', roles: OPERATORS, page: health },
  { path: 'quyen-truy-cap', title: 'Quyền truy cập', roles: ['AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN'], page: grants },
  { path: 'ho-so', title: 'Hồ sơ', roles: OFFICERS, page: records },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const user = document.getElementById('user');
let cleanup = null;

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function homeOf(role) {
  return OPERATORS.includes(role) ? '#/suc-khoe' : '#/tien-do';
}

function parseHash() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query ?? '') };
}

let ssoAvailable = false;

async function signOut() {
  const viaSso = Boolean(session.sso());
  const hadBoard = session.me()?.role === 'ADMIN'; // only ADMIN ever opens the queue board
  session.clear();
  if (hadBoard) closeQueueBoard();
  if (viaSso) {
    const endSession = await ssoLogout();
    if (endSession) return location.assign(endSession); // the SSO ends its own session, then returns to the console
  }
  navigate('#/dang-nhap');
}

function renderChrome(current) {
  const me = session.me();
  nav.hidden = !me;
  user.hidden = !me;
  if (!me) return;
  const items = PAGES.filter((p) => p.roles.includes(me.role)).map((p) =>
    h('a', { href: `#/${p.path}`, class: p.path === current ? 'active' : null, 'aria-current': p.path === current ? 'page' : null }, p.title));
  if (me.role === 'ADMIN') {
    items.push(h('button', { type: 'button', class: 'link', onclick: () => openQueueBoard().catch((err) => main.prepend(errorBox(err))) }, 'Bảng hàng đợi (Bull Board) ↗'));
  }
  replace(nav, items);
  replace(user, h('span', { class: 'who' }, me.name ?? me.subject), h('span', { class: 'role' }, `${ROLES[me.role] ?? me.role} · ${me.agencyCode}`),
    h('button', { type: 'button', class: 'secondary small', onclick: signOut }, 'Đăng xuất'));
}

async function route() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const { segments, params } = parseHash();
  const ctx = { segments, params, navigate };
  if (!session.token() && !session.sso() && segments[0] !== 'dang-nhap') {
    const found = await ssoSession();
    ssoAvailable = found.status !== 'NO_SSO';
    if (found.status === 'SIGNED_IN') {
      session.setSso({ csrfToken: found.session.csrfToken });
      session.setMe(found.session);
    }
  }
  if (!session.signedIn() || segments[0] === 'dang-nhap') {
    session.setMe(null);
    renderChrome(null);
    login.render(main, { ...ctx, ssoAvailable, onSignedIn: (me) => navigate(homeOf(me.role)) });
    return;
  }
  if (!session.me()) {
    try {
      session.setMe(await api('/ops/me'));
    } catch (err) {
      session.clear();
      renderChrome(null);
      login.render(main, { ...ctx, error: err, ssoAvailable, onSignedIn: (me) => navigate(homeOf(me.role)) });
      return;
    }
  }
  const entry = PAGES.find((p) => p.path === segments[0]);
  if (!entry) return navigate(homeOf(session.me().role));
  renderChrome(entry.path);
  document.title = `${entry.title} — Cổng dữ liệu CBCCVC`;
  const page = segments.length > 1 && entry.detail ? entry.detail : entry.page;
  replace(main);
  cleanup = page.render(main, ctx) ?? null;
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
route();
