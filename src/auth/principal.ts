// Who is calling, as the provincial single sign-on says in its JWT, and what that lets them see.
import Type, { type Static } from 'typebox';

export const roles = ['STAFF', 'UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN'] as const;
export type Role = (typeof roles)[number];

/** The claims the gateway reads from a bearer token. */
export const TokenClaims = Type.Object({
  sub: Type.String({ minLength: 1, maxLength: 200 }),
  role: Type.Union(roles.map((r) => Type.Literal(r))),
  /** The agency the user belongs to (mã định danh điện tử): their scope is its subtree. */
  agency: Type.String({ minLength: 3, maxLength: 35 }),
  /** For STAFF: the personal id of their own record. */
  personalId: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
});
export type TokenClaims = Static<typeof TokenClaims>;

export interface Principal {
  readonly subject: string;
  readonly role: Role;
  readonly agencyCode: string;
  readonly personalId?: string;
  readonly name?: string;
}

/** The background processes act as SYSTEM; it is never a role in a token. */
export const systemPrincipal = (provinceCode: string): Principal => ({ subject: 'system', role: 'ADMIN', agencyCode: provinceCode });
