// Sức khỏe hệ thống (GET /api/v1/ops/status): certificates' expiry, the link to the national database,
// the outbox queue, batches waiting for an operator, database and Redis — each green, yellow or red.
import { api } from '../api.js';
import { errorBox, h, num, replace, table, when } from '../dom.js';
import { BATCH_STATES, CERT_ROLES, batchBadge, levelBadge } from '../labels.js';

const REFRESH_MS = 30_000;

function panel(key, title, level, ...children) {
  return h('section', { class: `card panel panel-${level}`, 'data-panel': key, 'data-level': level },
    h('div', { class: 'panel-head' }, h('h2', null, title), levelBadge(level)), ...children);
}

function certificates(c) {
  const rows = c.items.map((i) => h('tr', { 'data-level': i.level },
    h('td', null, CERT_ROLES[i.role] ?? i.role), h('td', null, i.subject), h('td', null, h('code', { class: 'small' }, i.serialNumber)),
    h('td', null, when(i.notAfter)), h('td', { class: 'num' }, i.daysLeft < 0 ? `hết hạn ${num(-i.daysLeft)} ngày` : num(i.daysLeft)), h('td', null, levelBadge(i.level))));
  const missing = c.missing.map((role) => h('li', null, `Chưa cấu hình: ${CERT_ROLES[role] ?? role}`));
  return panel('certificates', 'Chứng thư số', c.level,
    h('p', { class: 'muted' }, 'Vàng khi còn dưới 30 ngày; đỏ khi còn dưới 7 ngày hoặc đã hết hạn.'),
    missing.length ? h('ul', { class: 'warn-list' }, missing) : null,
    table(['Chứng thư', 'Chủ thể', 'Số hiệu', 'Hết hạn', { label: 'Còn (ngày)', class: 'num' }, 'Mức'], rows, { empty: 'Chưa cấu hình chứng thư nào.' }));
}

function national(n) {
  const source = { process: 'cuộc gọi của tiến trình API', database: 'bảng gói đồng bộ (các tiến trình worker)' };
  return panel('national', 'Kết nối CSDL quốc gia', n.level, h('dl', { class: 'facts' },
    h('dt', null, 'Lần thành công gần nhất'), h('dd', null, n.lastSuccessAt ? when(n.lastSuccessAt) : 'Chưa có cuộc gọi thành công nào'),
    h('dt', null, 'Lần lỗi gần nhất'), h('dd', null, n.lastFailureAt ? when(n.lastFailureAt) : 'Không có'),
    h('dt', null, 'Mã lỗi'), h('dd', null, n.lastFailureCode ? h('code', null, n.lastFailureCode) : '—',
      n.lastFailureKind ? ` (${n.lastFailureKind === 'permanent' ? 'bị từ chối, cần xử lý' : 'tạm thời, sẽ thử lại'})` : ''),
    h('dt', null, 'Nguồn'), h('dd', null, source[n.lastFailureSource] ?? '—')));
}

function queue(q) {
  if (!q.available) return panel('queue', `Hàng đợi '${q.name}'`, q.level, h('p', null, 'Không đọc được hàng đợi: Redis không trả lời.'));
  const c = q.counts;
  return panel('queue', `Hàng đợi '${q.name}'`, q.level, h('div', { class: 'tiles' },
    [['waiting', 'Đang chờ'], ['active', 'Đang xử lý'], ['delayed', 'Chờ thử lại'], ['failed', 'Lỗi']].map(([k, label]) =>
      h('div', { class: `tile${k === 'failed' && c[k] > 0 ? ' tile-warn' : ''}`, 'data-key': k }, h('span', { class: 'tile-value' }, num(c[k])), h('span', { class: 'tile-label' }, label)))));
}

function batches(b) {
  const entries = Object.keys(BATCH_STATES).filter((s) => b.counts[s]).map((s) =>
    h('li', null, batchBadge(s), ' ', h('a', { href: `#/goi-dong-bo?trang-thai=${s}` }, num(b.counts[s]))));
  return panel('batches', 'Gói đồng bộ', b.level, entries.length ? h('ul', { class: 'plain' }, entries) : h('p', { class: 'muted' }, 'Chưa có gói nào.'),
    b.counts.FAILED ? h('p', null, h('a', { href: '#/goi-dong-bo?trang-thai=FAILED' }, 'Xem các gói thất bại và chạy lại →')) : null);
}

function readiness(r) {
  const names = { database: 'Cơ sở dữ liệu PostgreSQL', redis: 'Redis (hàng đợi)' };
  return panel('readiness', 'Cơ sở dữ liệu và Redis', r.level, h('ul', { class: 'plain' }, Object.entries(r.checks).map(([k, ok]) =>
    h('li', { 'data-check': k }, levelBadge(ok ? 'green' : 'red'), ' ', names[k] ?? k, ok ? ' — sẵn sàng' : ' — không trả lời'))));
}

export function render(main) {
  const stamp = h('span', { class: 'muted' });
  const overall = h('div');
  const grid = h('div', { class: 'grid' }, h('p', { class: 'muted' }, 'Đang tải…'));
  replace(main, h('div', { class: 'page-head' }, h('h1', null, 'Sức khỏe hệ thống'), stamp), overall, grid);

  async function load() {
    try {
      const s = await api('/ops/status');
      replace(overall, h('div', { class: `overall overall-${s.level}`, 'data-testid': 'overall', 'data-level': s.level }, 'Tình trạng chung: ', levelBadge(s.level)));
      replace(grid, national(s.national), queue(s.queue), batches(s.batches), readiness(s.readiness), certificates(s.certificates));
      replace(stamp, `Kiểm tra lúc ${when(s.checkedAt)} · tự động làm mới mỗi 30 giây`);
    } catch (err) {
      replace(grid, errorBox(err));
    }
  }
  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}
