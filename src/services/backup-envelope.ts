// Backups encrypted to a public key (BACKUP_ENCRYPT_KEY_FILE): a fresh AES-256-GCM key per backup, wrapped
// with RSA-OAEP-SHA256 for the configured public key, so the backup host never holds what decrypts it.
// File layout: "CSDLENC1" | u16 wrapped-key length | wrapped key | 12-byte IV | ciphertext | 16-byte GCM tag.
// Streamed both ways: a dump of any size never sits in memory.
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, constants, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { GatewayError } from '../errors.ts';

const MAGIC = Buffer.from('CSDLENC1');
const TAG_BYTES = 16;
const IV_BYTES = 12;

export interface EnvelopeInfo { alg: 'RSA-OAEP-256+A256GCM'; keyId: string }

/** SHA-256 of the public key (SPKI DER): names which key a backup was encrypted to. */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The RSA public key in a PEM file (a public key or a certificate). */
export async function loadEncryptionKey(file: string): Promise<KeyObject> {
  let key: KeyObject;
  try {
    key = createPublicKey(await readFile(file));
  } catch (err) {
    throw new GatewayError('CONFIG_INVALID', { variable: 'BACKUP_ENCRYPT_KEY_FILE', reason: (err as Error).message });
  }
  if (key.asymmetricKeyType !== 'rsa') throw new GatewayError('CONFIG_INVALID', { variable: 'BACKUP_ENCRYPT_KEY_FILE', reason: 'an RSA public key or certificate is required' });
  return key;
}

export async function loadDecryptionKey(file: string): Promise<KeyObject> {
  try {
    return createPrivateKey(await readFile(file));
  } catch (err) {
    throw new GatewayError('CONFIG_INVALID', { variable: 'BACKUP_DECRYPT_KEY_FILE', reason: (err as Error).message });
  }
}

export async function encryptFile(plainFile: string, outFile: string, key: KeyObject): Promise<EnvelopeInfo> {
  const dataKey = randomBytes(32);
  const iv = randomBytes(IV_BYTES);
  const wrapped = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dataKey);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(wrapped.length);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  const out = createWriteStream(outFile, { mode: 0o600 });
  out.write(Buffer.concat([MAGIC, length, wrapped, iv]));
  await pipeline(createReadStream(plainFile), cipher, out, { end: false });
  await new Promise<void>((resolve, reject) => out.end(cipher.getAuthTag(), (err?: Error | null) => (err ? reject(err) : resolve())));
  return { alg: 'RSA-OAEP-256+A256GCM', keyId: keyIdOf(key) };
}

/** Decrypts `encFile` into `outFile`; a wrong key or altered bytes give BACKUP_DECRYPT_FAILED and no output. */
export async function decryptFile(encFile: string, outFile: string, key: KeyObject): Promise<void> {
  const fail = (reason: string) => new GatewayError('BACKUP_DECRYPT_FAILED', { file: encFile, reason });
  const size = (await stat(encFile)).size;
  const handle = await open(encFile, 'r');
  let header: Buffer;
  let tag: Buffer;
  try {
    const head = Buffer.alloc(Math.min(size, MAGIC.length + 2 + 1024 + IV_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw fail('not-an-encrypted-backup');
    const wrappedLength = head.readUInt16BE(MAGIC.length);
    header = head.subarray(0, MAGIC.length + 2 + wrappedLength + IV_BYTES);
    tag = Buffer.alloc(TAG_BYTES);
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  const wrapped = header.subarray(MAGIC.length + 2, header.length - IV_BYTES);
  let dataKey: Buffer;
  try {
    dataKey = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
  } catch {
    throw fail('wrong-key');
  }
  const decipher = createDecipheriv('aes-256-gcm', dataKey, header.subarray(header.length - IV_BYTES));
  decipher.setAuthTag(tag);
  try {
    await pipeline(createReadStream(encFile, { start: header.length, end: size - TAG_BYTES - 1 }), decipher, createWriteStream(outFile, { mode: 0o600 }));
  } catch {
    throw fail('authentication');
  }
}
