// What the command line shows an operator besides errors (those are src/commands/cli-errors.ts): progress bars for long work (cli-progress on stderr, so stdout keeps only results; silent when stderr
// is not a terminal, e.g. under cron or in CI).
import cliProgress from 'cli-progress';

export interface Progress {
  /** Whether a bar is shown (a terminal): line-by-line progress is then left out. */
  readonly active: boolean;
  /** One more item done; `what` names it (a table, a batch). */
  tick(what?: string): void;
  /** `n` more items done at once. */
  advance(n: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A bar with counts and an estimate of the time left: `Sao lưu [████░░] 12/30 bảng | còn ~4 giây | person`.
 * Silent (all no-ops) when `stream` is not a terminal.
 */
export function progressBar(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { active: false, tick: () => {}, advance: () => {}, setTotal: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({
    stream, hideCursor: true, clearOnComplete: false, etaBuffer: 20,
    format: `${label} [{bar}] {value}/{total} ${unit} | còn ~{eta_formatted} | {what}`,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  const ensure = (total: number) => { if (!started) { bar.start(total, 0, { what: '' }); started = true; } };
  return {
    active: true,
    setTotal: (total) => { ensure(total); bar.setTotal(total); },
    tick: (what = '') => { ensure(0); bar.increment(1, { what }); },
    advance: (n) => { ensure(0); bar.increment(n); },
    stop: () => { if (started) bar.stop(); },
  };
}

// ── commander's own words, in Vietnamese ─────────────────────────────────

const helpTitles: Record<string, string> = {
  'Usage:': 'Cách dùng:', 'Options:': 'Tùy chọn:', 'Commands:': 'Lệnh:', 'Arguments:': 'Tham số:', 'Global Options:': 'Tùy chọn chung:',
};

/** For `configureHelp({ styleTitle })`: help headings in Vietnamese. */
export const vietnameseHelpTitle = (title: string): string => helpTitles[title] ?? title;

const commanderErrors: Array<[RegExp, (...m: string[]) => string]> = [
  [/^error: unknown option '([^']*)'(.*)$/s, (o, rest) => `không có tùy chọn ${o}${rest.replace(/\(Did you mean (.*)\?\)/, '(có phải ý bạn là $1?)')}`],
  [/^error: unknown command '([^']*)'(.*)$/s, (c, rest) => `không có lệnh ${c}${rest.replace(/\(Did you mean (.*)\?\)/, '(có phải ý bạn là $1?)')}`],
  [/^error: missing required argument '([^']*)'/, (a) => `thiếu tham số bắt buộc <${a}>`],
  [/^error: required option '([^']*)' not specified/, (o) => `thiếu tùy chọn bắt buộc ${o}`],
  [/^error: option '([^']*)' argument missing/, (o) => `tùy chọn ${o} cần một giá trị`],
  [/^error: option '([^']*)' argument '([^']*)' is invalid\.(.*)$/s, (o, v, rest) => `giá trị ${v} của ${o} không hợp lệ.${rest.replace('Allowed choices are', 'Chọn một trong')}`],
  [/^error: too many arguments(.*)$/s, () => 'thừa tham số'],
];

/** One line `BAD_REQUEST: … — what to do` for a command-line mistake commander found (the shape of every CLI error). */
export function translateCommanderError(text: string): string {
  const line = text.trim();
  for (const [pattern, say] of commanderErrors) {
    const m = pattern.exec(line);
    if (m) return `BAD_REQUEST: Yêu cầu không hợp lệ. — ${say(...m.slice(1)).replace(/\s+/g, ' ').trim()}; xem \`csdl-gateway <lệnh> --help\`\n`;
  }
  return `${line}\n`;
}
