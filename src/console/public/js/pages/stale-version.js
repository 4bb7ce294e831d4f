// The way out of a STALE_VERSION rejection, in the batch page (Sở Nội vụ operators): compare with the
// national version (GET /api/v1/changes/{id}/national: pulled and verified by the gateway), see what
// differs, then rebase (POST /api/v1/changes/{id}/rebase): a new change with the province's content on
// the national version, which goes through verification and both approvals again and gets the next
// phiên bản. Confirmed in the page, never by a browser dialog.
import { api } from '../api.js';
import { errorBox, h, notice, num, replace, table } from '../dom.js';
import { personal } from '../session.js';

const show = (v) => (v === undefined ? '(không có)' : typeof v === 'string' ? personal(v) : JSON.stringify(v));

export function stalePanel(changeId) {
  const out = h('div', { class: 'stale-panel', 'data-testid': 'stale-panel' });
  const compare = h('button', { type: 'button', class: 'small' }, 'So sánh với bản quốc gia');
  compare.addEventListener('click', async () => {
    compare.disabled = true;
    replace(out, h('p', { class: 'muted' }, 'Đang kéo phiên bản quốc gia…'));
    try {
      const c = await api(`/changes/${changeId}/national`);
      const rebase = h('button', { type: 'button', 'data-testid': 'rebase' }, `Dựng lại trên phiên bản ${num(c.national.version)} (gửi lại là phiên bản ${num(c.nextVersion)})`);
      rebase.addEventListener('click', async () => {
        rebase.disabled = true;
        try {
          const r = await api(`/changes/${changeId}/rebase`, { method: 'POST', body: { nationalVersion: c.national.version } });
          replace(out, notice(`Đã tạo đề nghị ${r.change.id}: chờ đơn vị kiểm tra, thủ trưởng và Sở Nội vụ ký duyệt, rồi được gửi lại.`, 'success'));
        } catch (err) {
          rebase.disabled = false;
          out.append(errorBox(err));
        }
      });
      replace(out,
        h('p', null, `Bản quốc gia: phiên bản ${num(c.national.version)}, đơn vị quản lý ${c.national.holderCode}, cập nhật ${c.national.updatedAt}; chữ ký quốc gia hợp lệ.`),
        table(['Trường', 'Bản quốc gia', 'Bản của tỉnh'], c.differences.map((d) => h('tr', null,
          h('td', null, h('code', null, d.path)), h('td', null, show(d.national)), h('td', null, show(d.provincial)))),
        { empty: 'Nội dung giống nhau; chỉ phiên bản khác.' }),
        h('p', { class: 'muted' }, 'Dựng lại giữ nội dung của tỉnh (ghi đè các khác biệt trên) và ghi vào nhật ký kiểm toán.'), rebase);
    } catch (err) {
      compare.disabled = false;
      replace(out, errorBox(err), compare);
    }
  });
  replace(out, compare);
  return out;
}
