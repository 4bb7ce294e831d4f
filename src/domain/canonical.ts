// Canonical serialisation and the content hash that approvals sign (DESIGN rule 6, STYLE point 8: the
// canonical form is decided in one function that runs before signing and before verifying).
//
// canonicalJson(schema, value): JSON with no white space, object keys in the §6 element order (the
// order of the schema's `properties`, never insertion order), absent/undefined/null fields left out,
// strings and numbers written as ECMAScript JSON.stringify writes them (the same rules as RFC 8785 JCS:
// shortest round-trip numbers, minimal string escapes). A field the schema does not know is refused
// (INVALID_PROFILE, reason UNKNOWN_FIELD): unknown data must never be signed by accident.
//
// contentSha256(content): lowercase hex SHA-256 of the UTF-8 bytes of canonicalJson(ChangeContent,
// normalizeChangeContent(content)), i.e. of
//   {"SoDinhDanh":…,"MaDonViQuanLy":…,"MaDonViSuDung":…,"PhanLoai":…,"TrangThai":…,"NgayHieuLuc":…,"SoYeuLyLich":{…}}
// with text in NFC and agency codes canonical, so NFD input and QCVN 102:2016 codes hash the same.
// Not hashed: PheDuyet (made of signatures over this hash), thaoTac and phienBan (see profile-schema.ts).

import { createHash } from 'node:crypto';
import type { TSchema } from 'typebox';
import { GatewayError } from '../errors.ts';
import { normalizeChangeContent, normalizeProfile, normalizeRecord } from './profile-normalize.ts';
import { ChangeContent, HoSo, SoYeuLyLich } from './profile-schema.ts';
import { isObject } from './schema-check.ts';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  items?: Node;
}

/** Per object schema, computed once: its keys in order with their JSON prefix and child schema. */
interface Field {
  readonly key: string;
  readonly quoted: string; // '"key":'
  readonly node: Node;
}
const fieldCache = new WeakMap<Node, readonly Field[]>();

function fieldsOf(node: Node): readonly Field[] {
  let fields = fieldCache.get(node);
  if (fields === undefined) {
    fields = Object.entries(node.properties ?? {}).map(([key, child]) => ({ key, quoted: `${JSON.stringify(key)}:`, node: child }));
    fieldCache.set(node, fields);
  }
  return fields;
}

function refuse(path: string, reason: 'UNKNOWN_FIELD' | 'TYPE'): never {
  throw new GatewayError('INVALID_PROFILE', { issues: [{ path, code: 'INVALID_VALUE', reason }] });
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function writeObject(node: Node, value: unknown, path: string): string {
  if (!isObject(value)) refuse(path, 'TYPE');
  const props = node.properties ?? {};
  for (const key in value) {
    if (!Object.hasOwn(props, key) && Object.hasOwn(value, key) && value[key] !== undefined && value[key] !== null) {
      refuse(join(path, key), 'UNKNOWN_FIELD');
    }
  }
  let out = '{';
  for (const f of fieldsOf(node)) {
    const child = value[f.key];
    if (child === undefined || child === null) continue;
    out += (out.length === 1 ? f.quoted : `,${f.quoted}`) + write(f.node, child, join(path, f.key));
  }
  return `${out}}`;
}

function write(node: Node, value: unknown, path: string): string {
  if (node.type === 'object') return writeObject(node, value, path);
  if (node.type === 'array') {
    if (!Array.isArray(value)) refuse(path, 'TYPE');
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + write(node.items as Node, value[i], `${path}[${i}]`);
    return `${out}]`;
  }
  // Leaves: a structured value here would serialise in insertion order, so it is refused.
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
  return refuse(path, 'TYPE');
}

/** Canonical JSON of `value` under one of the profile schemas (the value is not normalised here). */
export function canonicalJson(schema: TSchema, value: unknown): string {
  return write(schema as Node, value, '');
}

/** Canonical JSON of a CV, normalised first. */
export function canonicalProfileJson(profile: unknown): string {
  return canonicalJson(SoYeuLyLich, normalizeProfile(profile));
}

/** Canonical JSON of a record with its approval chain, normalised first. */
export function canonicalRecordJson(record: unknown): string {
  return canonicalJson(HoSo, normalizeRecord(record));
}

/** Canonical JSON of a change's content (envelope + CV), normalised first: the bytes contentSha256 hashes. */
export function canonicalContentJson(content: unknown): string {
  return canonicalJson(ChangeContent, normalizeChangeContent(content));
}

/** Lowercase hex SHA-256 of canonicalContentJson(content): what approval manifests list and sign. */
export function contentSha256(content: ChangeContent): string {
  return createHash('sha256').update(canonicalContentJson(content), 'utf8').digest('hex');
}
