// Building the page without innerHTML: every value from the API goes in as text, never as markup.

/** h('td', { class: 'num', 'data-state': s, onclick: f }, child, [children], null) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const dateTime = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
const number = new Intl.NumberFormat('vi-VN');

/** An instant in Vietnam time (the regulations' time) as dd/mm/yyyy hh:mm:ss, or a dash. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = Object.fromEntries(dateTime.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

export const num = (n) => (n === null || n === undefined ? '—' : number.format(n));

/** An API error as the user sees it: its Vietnamese message and its code. */
export function errorBox(err, extra) {
  const code = err?.code ?? 'INTERNAL_ERROR';
  const message = err?.message ?? 'Đã xảy ra lỗi.';
  // A token that expired or was refused: offer to sign in again.
  const again = err?.status === 401 ? h('div', null, h('a', { href: '#/dang-nhap' }, 'Đăng nhập lại')) : null;
  return h('div', { class: 'alert alert-error', role: 'alert', 'data-code': code },
    h('strong', null, message), ' ', h('span', { class: 'code' }, `(${code})`), extra ?? null, again);
}

export const notice = (text, kind = 'info') => h('div', { class: `alert alert-${kind}`, role: 'status' }, text);

export function table(head, rows, { empty = 'Không có dữ liệu.', foot } = {}) {
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col', class: c.class }, c.label ?? c)))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: head.length, class: 'empty' }, empty))),
    foot ? h('tfoot', null, foot) : null));
}

export const section = (title, ...children) => h('section', { class: 'card' }, h('h2', null, title), ...children);
