// Sign-in to the console with the province's shared account (OpenID Connect, authorization code + PKCE,
// openid-client). The browser holds only an opaque random cookie; the session lives in the database with
// idle and absolute timeouts on the injected clock. Identity comes from the SSO's ID token; authority from
// the grants (or, with AUTH_AUTHORITY=claims, from the ID token's role/agency claims), resolved on every
// request so that a revoked grant bites at once. Cookie-authenticated writes carry the session's CSRF token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import { Compile } from 'typebox/compile';
import { GatewayError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { TokenClaims, type Principal } from '../auth/principal.ts';
import { checkAgencyCode } from '../domain/agency-code.ts';
import type { Db } from '../store/db.ts';
import { consumeLogin, deleteSession, getSession, saveLogin, saveSession, touchSession } from '../store/console-sessions.ts';
import { principalOfSubject } from './grants.ts';
import { bindReservedGrants } from '../store/grants.ts';
import { isPersonalId } from '../domain/personal-id.ts';

export interface SignInSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** Where the SSO sends the browser back: https://<gateway>/auth/callback */
  redirectUrl: string;
  /** Where the SSO sends the browser after its end-session (the console's sign-in page). */
  postLogoutRedirectUrl: string;
  idleMs: number;
  absoluteMs: number;
  authority: 'grants' | 'claims';
  /** Tests and demos on loopback http only. */
  allowHttp?: boolean;
  /** OIDC_PERSONAL_ID_CLAIM: the claim whose personal id binds the STAFF grant reserved for it at first sign-in. */
  personalIdClaim?: string;
}

export interface ConsoleSession extends Principal { csrfToken: string }

const LOGIN_MS = 10 * 60_000;
const checkClaims = Compile(TokenClaims);
const token = () => randomBytes(32).toString('base64url');
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createConsoleSignIn(deps: { db: Db; clock: Clock }, s: SignInSettings) {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => (discovered ??= oidc.discovery(new URL(s.issuerUrl), s.clientId, s.clientSecret, undefined,
    s.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined).catch((err) => { discovered = undefined; throw err; }));

  async function principalOf(subject: string, claims: Record<string, unknown>): Promise<Principal> {
    const name = typeof claims.name === 'string' ? claims.name : undefined;
    if (s.authority === 'grants') return principalOfSubject(deps.db, deps.clock, subject, name);
    const c: unknown = { ...claims, sub: subject };
    if (!checkClaims.Check(c)) throw new GatewayError('GRANT_REQUIRED', { subject, reason: 'NO_ROLE_CLAIMS' });
    const agency = checkAgencyCode(c.agency);
    if (!agency.ok || agency.code !== c.agency) throw new GatewayError('GRANT_REQUIRED', { subject, reason: 'AGENCY_CLAIM' });
    return { subject, role: c.role, agencyCode: c.agency, ...(c.personalId ? { personalId: c.personalId } : {}), ...(name ? { name } : {}) };
  }

  /** The live session of a cookie, or SESSION_EXPIRED (and the row is gone). */
  async function live(cookie: string) {
    const row = await getSession(deps.db, cookie);
    const now = deps.clock.now().getTime();
    if (!row) throw new GatewayError('SESSION_EXPIRED');
    if (now - row.lastSeenAt.getTime() > s.idleMs || now - row.createdAt.getTime() > s.absoluteMs) {
      await deleteSession(deps.db, cookie);
      throw new GatewayError('SESSION_EXPIRED', { reason: now - row.createdAt.getTime() > s.absoluteMs ? 'ABSOLUTE_TIMEOUT' : 'IDLE_TIMEOUT' });
    }
    return row;
  }

  return {
    /** Starts a sign-in: the login cookie's value and where to send the browser. */
    async start(): Promise<{ cookie: string; location: string }> {
      const config = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const cookie = token();
      await saveLogin(deps.db, cookie, { state, nonce, codeVerifier, createdAt: deps.clock.now() });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: s.redirectUrl, scope: 'openid profile', state, nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
      });
      return { cookie, location: url.href };
    },

    /** The SSO sent the browser back: exchange the code (PKCE, state, nonce checked) and open a session. */
    async finish(loginCookie: string | null, currentUrl: URL): Promise<{ cookie: string }> {
      const login = loginCookie ? await consumeLogin(deps.db, loginCookie) : null;
      if (!login || deps.clock.now().getTime() - login.createdAt.getTime() > LOGIN_MS) throw new GatewayError('SIGN_IN_FAILED', { reason: 'NO_SIGN_IN_IN_PROGRESS' });
      const config = await configuration();
      let tokens;
      let profile: Record<string, unknown> = {};
      try {
        tokens = await oidc.authorizationCodeGrant(config, currentUrl, { pkceCodeVerifier: login.codeVerifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true });
        const idClaims = tokens.claims();
        if (!idClaims) throw new GatewayError('SIGN_IN_FAILED', { reason: 'NO_ID_TOKEN' });
        // Many SSOs put profile claims (name, …) in UserInfo only, not in the ID token; `sub` must match.
        if (config.serverMetadata().userinfo_endpoint) profile = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub)) };
        profile = { ...profile, ...idClaims };
      } catch (err) {
        if (err instanceof GatewayError) throw err;
        throw new GatewayError('SIGN_IN_FAILED', { reason: (err as { code?: string }).code ?? 'CODE_EXCHANGE' });
      }
      const { sub, name, role, agency, personalId } = profile;
      const kept = Object.fromEntries(Object.entries({ name, role, agency, personalId }).filter(([, v]) => v !== undefined));
      // A transferred-in person's first sign-in: the SSO vouches for their personal id, the reserved grant becomes theirs.
      const claimedId = s.personalIdClaim ? profile[s.personalIdClaim] : undefined;
      if (s.authority === 'grants' && isPersonalId(claimedId)) await bindReservedGrants(deps.db, sub as string, claimedId, deps.clock.now());
      await principalOf(sub as string, kept); // no grant, no session
      const cookie = token();
      const now = deps.clock.now();
      await saveSession(deps.db, cookie, { subject: sub as string, claims: kept, idToken: tokens.id_token ?? null, csrfToken: token(), createdAt: now, lastSeenAt: now });
      return { cookie };
    },

    /** The principal of a cookie-authenticated request; writes need the session's CSRF token. */
    async principal(cookie: string, method: string, csrfHeader: string | undefined): Promise<Principal> {
      const row = await live(cookie);
      if (!SAFE_METHODS.has(method) && (csrfHeader === undefined || !sameSecret(csrfHeader, row.csrfToken))) throw new GatewayError('CSRF_INVALID');
      const principal = await principalOf(row.subject, row.claims);
      await touchSession(deps.db, cookie, deps.clock.now());
      return principal;
    },

    /** Who the session is, with the CSRF token the console sends on writes. */
    async describe(cookie: string): Promise<ConsoleSession> {
      const row = await live(cookie);
      return { ...(await principalOf(row.subject, row.claims)), csrfToken: row.csrfToken };
    },

    /** Ends the session here, and says where the SSO ends its own (when it offers end-session). */
    async logout(cookie: string | null): Promise<{ location: string | null }> {
      const row = cookie ? await getSession(deps.db, cookie) : null;
      if (cookie) await deleteSession(deps.db, cookie);
      const config = await configuration().catch(() => null);
      if (!config?.serverMetadata().end_session_endpoint) return { location: null };
      const url = oidc.buildEndSessionUrl(config, {
        post_logout_redirect_uri: s.postLogoutRedirectUrl, client_id: s.clientId, ...(row?.idToken ? { id_token_hint: row.idToken } : {}),
      });
      return { location: url.href };
    },
  };
}

export type ConsoleSignIn = ReturnType<typeof createConsoleSignIn>;
