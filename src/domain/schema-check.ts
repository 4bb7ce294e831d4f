// Structural validation of a value against our TypeBox schemas that reports EVERY issue, with our own
// machine reasons (TypeBox's error list stops early inside a failing object and speaks JSON Schema).
// It understands exactly the keywords profile-schema.ts uses; anything else is a programming error.
// Besides the schema it enforces what every string must satisfy to be signed and sent as XML: NFC,
// trimmed, no characters that XML 1.0 cannot carry.

import type { TSchema } from 'typebox';
import { isDate, isOffsetDateTime } from './calendar-date.ts';

export type IssueCode = 'MISSING_FIELD' | 'INVALID_VALUE';

export type IssueReason =
  | 'REQUIRED' // a required field is absent
  | 'TYPE' // wrong JSON type
  | 'UNKNOWN_FIELD' // a field the template does not have
  | 'EMPTY' // an empty string or list that should have been left out
  | 'TOO_LONG'
  | 'TOO_MANY' // more list items than LIST_MAX
  | 'FORMAT' // pattern of the field (digits, grade code, date shape…)
  | 'NOT_A_DATE' // right shape, not a calendar date (2026-02-30)
  | 'ENUM'
  | 'OUT_OF_RANGE'
  | 'DECIMALS' // more than 2 decimals
  | 'CONTROL_CHAR' // a character XML 1.0 cannot carry, or a CR (an XML parser would turn it into LF)
  | 'NOT_NFC'
  | 'NOT_TRIMMED';

export interface Issue<C extends string = IssueCode, R extends string = IssueReason> {
  readonly path: string;
  readonly code: C;
  readonly reason: R;
}

/** At most 2 decimals: the value must be the double nearest to some x.yz. */
export const MAX_DECIMALS = 2;

// C0 controls other than TAB and LF, CR, U+FFFE/U+FFFF, lone surrogates. One cheap non-'u' scan first
// (it also hits valid surrogate pairs); only then the exact checks ('u' mode pairs valid surrogates).
const SUSPECT = /[\u0000-\u0008\u000B-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function hasForbiddenChars(value: string): boolean {
  return SUSPECT.test(value) && (FORBIDDEN_CHARS.test(value) || LONE_SURROGATE.test(value));
}

interface Node {
  type?: string;
  enum?: readonly unknown[];
  properties?: Record<string, Node>;
  required?: readonly string[];
  items?: Node;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
}

const patternCache = new Map<string, RegExp>();
function regexOf(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(pattern);
    patternCache.set(pattern, re);
  }
  return re;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks `value` against `schema`, appending issues; `path` is where the value sits ('' at the root). */
export function checkSchema(schema: TSchema, value: unknown, path: string, issues: Sink): void {
  walk(schema as Node, value, '', path, issues);
}

/** Where issues go: any list of issues whose reasons include ours. */
type Sink = Issue<IssueCode, string>[];

// A value's location is passed as (base, key) and joined only when an issue is reported or a container
// is entered: most leaves are valid, and building ~150 path strings per profile would dominate the cost.
function pathOf(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

function report(issues: Sink, base: string, key: string | number, reason: IssueReason, code: IssueCode = 'INVALID_VALUE'): void {
  issues.push({ path: pathOf(base, key), code, reason });
}

function walk(node: Node, value: unknown, base: string, key: string | number, issues: Sink): void {
  if (node.enum !== undefined) {
    if (!node.enum.includes(value)) report(issues, base, key, 'ENUM');
    return;
  }
  switch (node.type) {
    case 'object':
      return walkObject(node, value, base, key, issues);
    case 'array':
      return walkArray(node, value, base, key, issues);
    case 'string':
      return walkString(node, value, base, key, issues);
    case 'integer':
    case 'number':
      return walkNumber(node, value, base, key, issues);
    case 'boolean':
      if (typeof value !== 'boolean') report(issues, base, key, 'TYPE');
      return;
    default:
      throw new Error(`schema-check: unsupported schema node ${JSON.stringify(node)}`);
  }
}

function walkObject(node: Node, value: unknown, base: string, key: string | number, issues: Sink): void {
  if (!isObject(value)) return report(issues, base, key, 'TYPE');
  const props = node.properties ?? {};
  const here = pathOf(base, key);
  for (const name of node.required ?? []) {
    if (value[name] === undefined) report(issues, here, name, 'REQUIRED', 'MISSING_FIELD');
  }
  for (const name of Object.keys(value)) {
    const child = value[name];
    if (child === undefined) continue;
    const sub = Object.hasOwn(props, name) ? props[name] : undefined;
    if (sub === undefined) report(issues, here, name, 'UNKNOWN_FIELD');
    else walk(sub, child, here, name, issues);
  }
}

function walkArray(node: Node, value: unknown, base: string, key: string | number, issues: Sink): void {
  if (!Array.isArray(value)) return report(issues, base, key, 'TYPE');
  if (node.minItems !== undefined && value.length < node.minItems) report(issues, base, key, 'EMPTY');
  // Too many items: one issue, rather than flooding the list with the items' own issues.
  if (node.maxItems !== undefined && value.length > node.maxItems) return report(issues, base, key, 'TOO_MANY');
  const here = pathOf(base, key);
  const item = node.items as Node;
  for (let i = 0; i < value.length; i++) walk(item, value[i], here, i, issues);
}

function walkString(node: Node, value: unknown, base: string, key: string | number, issues: Sink): void {
  if (typeof value !== 'string') return report(issues, base, key, 'TYPE');
  if (value.length === 0) return report(issues, base, key, 'EMPTY');
  if (hasForbiddenChars(value)) report(issues, base, key, 'CONTROL_CHAR');
  else if (value.normalize('NFC') !== value) report(issues, base, key, 'NOT_NFC');
  if (value.trim() !== value) report(issues, base, key, 'NOT_TRIMMED');
  if (node.minLength !== undefined && value.length < node.minLength) report(issues, base, key, 'EMPTY');
  if (node.maxLength !== undefined && value.length > node.maxLength) report(issues, base, key, 'TOO_LONG');
  if (node.pattern !== undefined && !regexOf(node.pattern).test(value)) report(issues, base, key, 'FORMAT');
  else if (node.format === 'date' && !isDate(value)) report(issues, base, key, 'NOT_A_DATE');
  else if (node.format === 'date-time' && !isOffsetDateTime(value)) report(issues, base, key, 'NOT_A_DATE');
}

function walkNumber(node: Node, value: unknown, base: string, key: string | number, issues: Sink): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) return report(issues, base, key, 'TYPE');
  if (node.type === 'integer' && !Number.isInteger(value)) return report(issues, base, key, 'TYPE');
  if ((node.minimum !== undefined && value < node.minimum) || (node.maximum !== undefined && value > node.maximum)) {
    report(issues, base, key, 'OUT_OF_RANGE');
  }
  if (node.type === 'number' && Number(value.toFixed(MAX_DECIMALS)) !== value) report(issues, base, key, 'DECIMALS');
}
