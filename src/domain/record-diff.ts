// What differs between two versions of one record (the national one and the province's), field by
// field, for the operator who resolves a STALE_VERSION rejection. Pure: plain JSON-like values in,
// a sorted list of paths out (`SoYeuLyLich/Luong/HeSoLuong`, `SoYeuLyLich/QuaTrinhCongTac[2]/DonVi`).
// A field present on one side only is a difference with `undefined` on the other.

export interface FieldDifference {
  readonly path: string;
  readonly national: unknown;
  readonly provincial: unknown;
}

type Leaves = Map<string, unknown>;

function flatten(value: unknown, path: string, out: Leaves): Leaves {
  if (Array.isArray(value)) {
    if (value.length === 0 && path !== '') out.set(path, []);
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) flatten(v, path === '' ? k : `${path}/${k}`, out);
    }
  } else if (value !== undefined) {
    out.set(path, value);
  }
  return out;
}

export function recordDifferences(national: unknown, provincial: unknown): FieldDifference[] {
  const a = flatten(national, '', new Map());
  const b = flatten(provincial, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((p) => ({ path: p, national: a.get(p), provincial: b.get(p) }));
}
