// Reading the element tree that safe-parse.ts returns: every child element is an array (so a duplicate
// shows), attributes are `@_name`, text is `#text`. Text is entity-decoded here and normalised to NFC.
// `readFlatElement` is the strict reader for the simple envelopes (batch header, transfer request): any
// deviation is BAD_PAYLOAD, because there is no record to reject on its own.

import { badPayload, decodeEntities, type XmlNode } from './safe-parse.ts';

export const TEXT = '#text';
export const ATTR = '@_';

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Entity-decoded, NFC text. */
export function xmlText(raw: string): string {
  const text = decodeEntities(raw);
  return text.normalize('NFC');
}

export type LeafResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'NOT_A_LEAF' | 'UNEXPECTED_ATTRIBUTE' };

/** The text of a leaf element value (`<A>text</A>` or `<A/>`, no attributes and no children). */
export function leafText(value: unknown): LeafResult {
  if (typeof value === 'string') return { ok: true, text: xmlText(value) };
  if (!isNode(value)) return { ok: false, reason: 'NOT_A_LEAF' };
  let text = '';
  for (const key of Object.keys(value)) {
    if (key === TEXT) text = String(value[key]);
    else if (key.startsWith(ATTR)) return { ok: false, reason: 'UNEXPECTED_ATTRIBUTE' };
    else return { ok: false, reason: 'NOT_A_LEAF' };
  }
  return { ok: true, text: xmlText(text) };
}

/** True when the container's own text is only whitespace (indentation between child elements). */
export function hasOnlyWhitespaceText(node: XmlNode): boolean {
  const text = node[TEXT];
  return text === undefined || (typeof text === 'string' && text.trim() === '');
}

/** An element that must hold child elements only; `''` (`<A/>`) counts as an empty container. */
export function asContainer(value: unknown): XmlNode | undefined {
  if (value === '') return {};
  if (isNode(value)) return value;
  if (typeof value === 'string' && value.trim() === '') return {};
  return undefined;
}

/** The single occurrence of a child element, `undefined` when absent; BAD_PAYLOAD when repeated. */
export function singleChild(node: XmlNode, name: string, path: string): unknown {
  const list = node[name];
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length !== 1) throw badPayload('DUPLICATE_ELEMENT', { path: `${path}/${name}` });
  return list[0];
}

/** Child element names (no attributes, no text), in document order of first appearance. */
export function childNames(node: XmlNode): string[] {
  return Object.keys(node).filter((key) => key !== TEXT && !key.startsWith(ATTR));
}

/**
 * Reads an element made of leaf children only, in the order of `fields`. Unknown children or
 * attributes (other than `allowedAttributes`), duplicates, children out of order, mixed content,
 * nested elements and absent required children are BAD_PAYLOAD. Empty leaves count as absent.
 */
export function readFlatElement<const F extends string>(
  node: XmlNode,
  path: string,
  fields: readonly F[],
  required: readonly F[],
  allowedAttributes: readonly string[] = [],
): Partial<Record<F, string>> {
  if (!hasOnlyWhitespaceText(node)) throw badPayload('MIXED_CONTENT', { path });
  const out: Partial<Record<F, string>> = {};
  let lastPosition = -1; // keys come in document order of first appearance
  for (const key of Object.keys(node)) {
    if (key === TEXT) continue;
    if (key.startsWith(ATTR)) {
      if (allowedAttributes.includes(key.slice(ATTR.length))) continue;
      throw badPayload('UNEXPECTED_ATTRIBUTE', { path, attribute: key.slice(ATTR.length) });
    }
    const position = (fields as readonly string[]).indexOf(key);
    if (position < 0) throw badPayload('UNKNOWN_ELEMENT', { path: `${path}/${key}` });
    if (position < lastPosition) throw badPayload('ELEMENT_ORDER', { path: `${path}/${key}` });
    lastPosition = position;
    const leaf = leafText(singleChild(node, key, path));
    if (!leaf.ok) throw badPayload('INVALID_VALUE', { path: `${path}/${key}`, detail: leaf.reason });
    if (leaf.text !== '') out[key as F] = leaf.text;
  }
  for (const name of required) {
    if (out[name] === undefined) throw badPayload('MISSING_ELEMENT', { path: `${path}/${name}` });
  }
  return out;
}
