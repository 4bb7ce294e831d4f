// PEM armour (RFC 7468): split a text bundle into labelled DER blocks, and wrap DER back into PEM.

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order. Text outside blocks (comments, "Bag Attributes") is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const [, label = '', body = ''] = match;
    const base64 = body.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    blocks.push({ label, der: new Uint8Array(Buffer.from(base64, 'base64')) });
  }
  return blocks;
}

export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** True when the bytes look like PEM text rather than DER. */
export function isPemText(input: Uint8Array | string): boolean {
  const head = typeof input === 'string' ? input.slice(0, 2048) : Buffer.from(input.subarray(0, 2048)).toString('latin1');
  return head.includes('-----BEGIN ');
}

export function asText(input: Uint8Array | string): string {
  return typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
}
