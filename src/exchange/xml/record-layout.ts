// The XML layout of a record, derived once at load from the domain's TypeBox schema `HoSo`
// (src/domain/profile-schema.ts), whose property order is the §6 element order. The writer and the
// reader both walk this one table, so element names, order and value kinds cannot drift apart from each
// other or from the schema. List elements hold repeated item elements named by LIST_ITEM_ELEMENT
// (`QuaTrinhDaoTao/DaoTao`, `KhenThuong/Muc`, `PheDuyet/CapPheDuyet`…).

import type { TSchema } from 'typebox';
import { HoSo, LIST_ITEM_ELEMENT } from '../../domain/profile-schema.ts';

/** How a leaf value is written: text as is, integers and dot decimals, `true`/`false`. */
export type LeafType = 'text' | 'integer' | 'decimal' | 'boolean';

export interface LeafSpec {
  readonly kind: 'leaf';
  readonly name: string;
  readonly type: LeafType;
  readonly open: string;
  readonly close: string;
}

export interface GroupSpec {
  readonly kind: 'group';
  readonly name: string;
  readonly children: readonly FieldSpec[];
  readonly byName: ReadonlyMap<string, FieldSpec>;
  /** Position of each child in the §6 order. */
  readonly position: ReadonlyMap<string, number>;
  readonly open: string;
  readonly close: string;
}

export interface ListSpec {
  readonly kind: 'list';
  readonly name: string;
  readonly item: GroupSpec;
  readonly open: string;
  readonly close: string;
}

export type FieldSpec = LeafSpec | GroupSpec | ListSpec;

interface SchemaNode {
  type?: string;
  enum?: readonly unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

const tags = (name: string) => ({ name, open: `<${name}>`, close: `</${name}>` });

function leafType(node: SchemaNode, name: string): LeafType {
  if (node.enum !== undefined || node.type === 'string') return 'text';
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'decimal';
  if (node.type === 'boolean') return 'boolean';
  throw new Error(`record-layout: no XML form for ${name} (${JSON.stringify(node)})`);
}

function fieldOf(name: string, node: SchemaNode): FieldSpec {
  if (node.type === 'object') return groupOf(name, node);
  if (node.type === 'array') {
    const itemName = (LIST_ITEM_ELEMENT as Readonly<Record<string, string>>)[name];
    if (itemName === undefined || node.items?.type !== 'object') {
      throw new Error(`record-layout: list ${name} has no item element or is not a list of objects`);
    }
    return { kind: 'list', ...tags(name), item: groupOf(itemName, node.items) };
  }
  return { kind: 'leaf', ...tags(name), type: leafType(node, name) };
}

function groupOf(name: string, node: SchemaNode): GroupSpec {
  const children = Object.entries(node.properties ?? {}).map(([key, child]) => fieldOf(key, child));
  return {
    kind: 'group',
    ...tags(name),
    children,
    byName: new Map(children.map((c) => [c.name, c])),
    position: new Map(children.map((c, i) => [c.name, i])),
  };
}

/** The `HoSo` element: SoDinhDanh … NgayHieuLuc, SoYeuLyLich{…}, PheDuyet/CapPheDuyet. */
export const RECORD_LAYOUT: GroupSpec = groupOf('HoSo', HoSo as TSchema as SchemaNode);
