// Hồ sơ: print a person's signed CV (officers), and load a legacy spreadsheet (Sở Nội vụ): a dry run first,
// whose report workbook lists every row with its errors, then the real load.
import { apiBytes } from '../api.js';
import { errorBox, h, notice, num, replace, section, table } from '../dom.js';
import { session } from '../session.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function download(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

function cvSection() {
  const input = h('input', { type: 'text', inputmode: 'numeric', pattern: '\\d{12}', maxlength: '12', placeholder: 'Số định danh cá nhân (12 số)', 'data-testid': 'cv-id' });
  const out = h('div', { 'aria-live': 'polite' });
  async function print(event) {
    event.preventDefault();
    const id = input.value.trim();
    replace(out, notice('Đang lập và ký số bản in…'));
    try {
      const res = await apiBytes(`/persons/${encodeURIComponent(id)}/so-yeu-ly-lich.pdf`);
      download(await res.blob(), `so-yeu-ly-lich-${id}.pdf`);
      replace(out, notice('Đã tải bản in có chữ ký số của Sở Nội vụ.', 'success'));
    } catch (err) {
      replace(out, errorBox(err));
    }
  }
  return section('In sơ yếu lý lịch', h('form', { class: 'actions', onsubmit: print }, input,
    h('button', { type: 'submit', 'data-testid': 'cv-print' }, 'In sơ yếu lý lịch (PDF có ký số)')), out);
}

function importSection() {
  const file = h('input', { type: 'file', accept: '.xlsx,.csv', 'data-testid': 'import-file' });
  const out = h('div', { 'aria-live': 'polite' });
  async function run(dryRun) {
    const f = file.files?.[0];
    if (!f) return replace(out, notice('Chọn tệp .xlsx hoặc .csv.', 'warning'));
    replace(out, notice(dryRun ? 'Đang kiểm tra từng dòng…' : 'Đang nhập…'));
    try {
      const res = await apiBytes('/imports/legacy', { method: 'POST', body: f, contentType: f.name.toLowerCase().endsWith('.csv') ? 'text/csv' : XLSX, query: { dryRun, fileName: f.name } });
      const r = await res.json();
      const report = Uint8Array.from(atob(r.reportBase64), (c) => c.charCodeAt(0));
      replace(out,
        table(['Số dòng', 'Hợp lệ', 'Lỗi', 'Đã có (bỏ qua)', 'Đã nhập'],
          [h('tr', { 'data-testid': 'import-counts' }, [r.rows, r.valid, r.invalid, r.existing, r.imported].map((n) => h('td', { class: 'num' }, num(n))))]),
        h('button', { type: 'button', class: 'secondary', onclick: () => download(new Blob([report], { type: XLSX }), `${f.name.replace(/\.(xlsx|csv)$/i, '')}.ket-qua.xlsx`) },
          'Tải báo cáo kết quả (từng dòng, lỗi và ô lỗi)'));
    } catch (err) {
      replace(out, errorBox(err));
    }
  }
  return section('Nhập dữ liệu từ phần mềm cũ',
    h('p', { class: 'muted' }, 'Tệp theo ánh xạ cột mặc định (xem README). Chạy thử không ghi dữ liệu; nhập thật tạo hồ sơ mới chờ xác minh, hồ sơ đã có được giữ nguyên.'),
    h('div', { class: 'actions' }, file,
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'import-dry', onclick: () => run(true) }, 'Chạy thử'),
      h('button', { type: 'button', 'data-testid': 'import-run', onclick: () => run(false) }, 'Nhập')), out);
}

export function render(main) {
  replace(main, h('h1', null, 'Hồ sơ'), cvSection(), session.hasRole('PROVINCE_OPERATOR', 'ADMIN') ? importSection() : null);
}
