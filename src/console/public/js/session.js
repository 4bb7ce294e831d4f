// The bearer token the user pasted, kept in sessionStorage (this tab only, gone when it closes), and
// who the gateway says the user is (GET /api/v1/ops/me), kept in memory.
const KEY = 'csdl-gateway.token';

let me = null;
// Signed in through the provincial SSO: the browser holds an HttpOnly cookie the page cannot read; writes
// carry the session's CSRF token (GET /auth/session), kept in memory only.
let sso = null;

export const session = {
  token: () => sessionStorage.getItem(KEY),
  /** A session of the provincial SSO ({csrfToken}), or null. */
  sso: () => sso,
  setSso: (value) => { sso = value; },
  signedIn: () => Boolean(sessionStorage.getItem(KEY) || sso),
  setToken: (token) => sessionStorage.setItem(KEY, token.trim().replace(/^Bearer\s+/i, '')),
  clear: () => {
    sessionStorage.removeItem(KEY);
    me = null;
    sso = null;
  },
  me: () => me,
  setMe: (value) => { me = value; },
  /** ADMIN administers and takes no workflow step: personal ids are masked for it. */
  seesPersonalIds: () => Boolean(me?.seesPersonalIds),
  hasRole: (...roles) => Boolean(me && roles.includes(me.role)),
};

const twelveDigits = /(?<![0-9])([0-9]{3})[0-9]{7}([0-9]{2})(?![0-9])/g;

/** 001234567890 → 001*******90, as in the gateway's logs (src/logger.ts). */
export function maskPersonalIds(text) {
  return String(text).replace(twelveDigits, '$1*******$2');
}

/** A personal id (or text holding some) as this user may see it. */
export function personal(text) {
  if (text === null || text === undefined) return '';
  return session.seesPersonalIds() ? String(text) : maskPersonalIds(text);
}
