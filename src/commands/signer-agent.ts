// `csdl-gateway signer-agent`: runs the signing agent (src/signer-agent/agent.ts) on the signer's
// computer, on 127.0.0.1 only, with the token PIN asked on this terminal.
import { randomInt } from 'node:crypto';
import { systemClock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import { openPkcs11Token } from '../pki/pkcs11.ts';
import { buildSignerAgent, type SignerPrompter, type SigningSummary } from '../signer-agent/agent.ts';
import { askHidden, askYesNo } from './terminal-prompt.ts';

export interface SignerAgentCommandOptions {
  readonly module: string;
  readonly slot?: string;
  readonly tokenLabel?: string;
  readonly origin: string;
  readonly port: string;
}

const LEVEL_NAME = { CO_QUAN: 'Thủ trưởng cơ quan phê duyệt', SO_NOI_VU: 'Sở Nội vụ phê duyệt' } as const;

/** What the signer reads before typing the PIN (Vietnamese, dd/mm/yyyy style month mm/yyyy). */
export function summaryText(s: SigningSummary): string {
  const [year, month] = s.period.split('-');
  return [
    '', '── Yêu cầu ký số từ trang quản trị ──',
    `  Nội dung:        ${LEVEL_NAME[s.level]} dữ liệu thay đổi`,
    `  Đơn vị:          ${s.agencyCode}`,
    `  Kỳ phê duyệt:    tháng ${month}/${year}`,
    `  Số thay đổi:     ${s.count}`,
    `  Mã băm SHA-256:  ${s.manifestSha256}`,
    `  Người ký:        ${s.signer}`,
    '',
  ].join('\n');
}

/** A pairing secret easy to read aloud and type: 3 groups of 4 digits. */
export function newPairingSecret(): string {
  return Array.from({ length: 3 }, () => String(randomInt(0, 10_000)).padStart(4, '0')).join('-');
}

export const terminalPrompter: SignerPrompter = {
  async confirm(summary) {
    process.stderr.write(summaryText(summary));
    return askYesNo('Ký văn bản này? (c/k): ');
  },
  askPin: (summary) => {
    if (summary.pin.finalTry) process.stderr.write('CẢNH BÁO: chỉ còn một lần nhập PIN; nhập sai lần nữa token sẽ bị khóa.\n');
    else if (summary.pin.countLow) process.stderr.write('Lưu ý: đã có lần nhập sai PIN; nhập sai nhiều lần token sẽ bị khóa.\n');
    return askHidden('Mã PIN của thiết bị ký số (để trống để hủy): ');
  },
};

export interface RunningSignerAgent {
  readonly url: string;
  readonly pairingSecret: string;
  close(): Promise<void>;
}

/** Starts the agent; the command line stops it on Ctrl-C (SIGINT) or SIGTERM. */
export async function runSignerAgent(options: SignerAgentCommandOptions, prompter: SignerPrompter = terminalPrompter): Promise<RunningSignerAgent> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new GatewayError('BAD_REQUEST', { reason: 'port', port: options.port });
  let origin: string;
  try {
    origin = new URL(options.origin).origin;
  } catch {
    throw new GatewayError('BAD_REQUEST', { reason: 'origin-not-a-url', origin: options.origin });
  }
  if (options.slot !== undefined && !/^[0-9]+$/.test(options.slot)) throw new GatewayError('BAD_REQUEST', { reason: 'slot-not-a-number', slot: options.slot });
  const token = openPkcs11Token({
    modulePath: options.module,
    ...(options.slot !== undefined ? { slot: BigInt(options.slot) } : {}), ...(options.tokenLabel !== undefined ? { tokenLabel: options.tokenLabel } : {}),
  });
  const pairingSecret = newPairingSecret();
  const app = buildSignerAgent({ token, consoleOrigin: origin, pairingSecret, prompter, clock: systemClock });
  try {
    // Loopback only: the agent is for the browser on this computer, never reachable from the network.
    await app.listen({ host: '127.0.0.1', port });
  } catch (err) {
    token.close();
    throw err;
  }
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  const certificates = token.listCertificates();
  process.stderr.write([
    `Công cụ ký số đang chạy tại ${url} cho trang quản trị ${origin}`,
    `Thiết bị: ${token.label} (${certificates.length} chứng thư số)`,
    `Mã ghép nối (nhập vào trang quản trị): ${pairingSecret}`, '',
  ].join('\n'));
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close().finally(() => token.close()));
  return { url, pairingSecret, close };
}
