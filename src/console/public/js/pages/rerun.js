// The re-run of a FAILED batch: explained, confirmed in the page (no browser dialog), sent, then
// followed step by step (Chờ gửi → Đang gửi → kết quả) while batch.js polls the batch.
import { api } from '../api.js';
import { errorBox, h, num, replace } from '../dom.js';
import { BATCH_STATES, batchBadge } from '../labels.js';
import { session } from '../session.js';

const STEPS = [['BUILT', 'Chờ gửi'], ['SENDING', 'Đang gửi'], ['SETTLED', 'Có kết quả']];

function stepIndex(state) {
  if (state === 'BUILT') return 0;
  if (state === 'SENDING' || state === 'UNKNOWN') return 1;
  return 2;
}

function progressView() {
  const steps = h('ol', { class: 'steps' }, STEPS.map(([key, label]) => h('li', { 'data-step': key }, label)));
  const line = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Đã gửi yêu cầu chạy lại…');
  const errors = h('div');
  const view = h('div', { class: 'rerun-progress', 'data-testid': 'rerun-progress' }, steps, line, errors);
  return {
    view,
    update(batch, elapsedMs) {
      const current = stepIndex(batch.state);
      steps.querySelectorAll('li').forEach((li, i) => { li.className = i < current ? 'done' : i === current ? 'current' : ''; });
      replace(line, 'Trạng thái: ', batchBadge(batch.state, { 'data-testid': 'rerun-state' }), ` · số lần gửi ${num(batch.attempts)}`,
        batch.lastErrorCode ? ` · lỗi gần nhất ${batch.lastErrorCode}` : '', ` · đã chờ ${Math.round(elapsedMs / 1000)} giây`);
      replace(errors);
    },
    error(err) { replace(errors, errorBox(err)); },
  };
}

export function rerunPanel(batch, { open, onStarted }) {
  const panel = h('section', { class: 'card card-danger', 'data-testid': 'rerun-panel' }, h('h2', null, 'Gói thất bại'));
  const explain = h('p', null, 'Lỗi: ', h('code', null, batch.lastErrorCode ?? '—'), ` ${batch.lastError ?? ''}. `,
    'Khắc phục nguyên nhân rồi chạy lại: gói được gửi lại với cùng mã gói và cùng nội dung đã ký (không ký lại); ',
    'lần chạy lại được ghi vào nhật ký kiểm toán và liên kết với lần thất bại.');
  panel.append(explain);
  if (!session.hasRole('PROVINCE_OPERATOR')) {
    panel.append(h('p', { class: 'muted' }, 'Chỉ chuyên viên vận hành Sở Nội vụ được chạy lại gói đồng bộ.'));
    return panel;
  }
  const area = h('div');
  const ask = () => replace(area,
    h('p', null, h('strong', null, `Chạy lại gói ${batch.batchId}?`), ` Gói đang ở trạng thái ${BATCH_STATES[batch.state]} sau ${num(batch.attempts)} lần gửi.`),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'danger', 'data-testid': 'rerun-confirm', onclick: send }, 'Xác nhận chạy lại'),
      h('button', { type: 'button', class: 'secondary', onclick: idle }, 'Hủy')));
  const idle = () => replace(area, h('button', { type: 'button', class: 'danger', 'data-testid': 'rerun', onclick: ask }, 'Chạy lại'));
  async function send(event) {
    event.target.disabled = true;
    try {
      await api(`/batches/${encodeURIComponent(batch.batchId)}/rerun`, { method: 'POST' });
      const progress = progressView();
      replace(area, progress.view);
      onStarted(progress);
    } catch (err) {
      replace(area, errorBox(err), h('button', { type: 'button', class: 'danger', 'data-testid': 'rerun', onclick: ask }, 'Thử lại'));
    }
  }
  panel.append(area);
  if (open) ask();
  else idle();
  return panel;
}
