// A real OpenID Connect provider for tests (the `oidc-provider` package) on 127.0.0.1 over HTTP. Its login
// "page" signs in whichever account the test names with `nextLogin`; consent is implied (first-party client).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestIdp {
  issuer: string;
  /** The account the next interaction signs in. */
  nextLogin: string;
  /** Extra claims per account (e.g. role and agency for AUTH_AUTHORITY=claims). */
  claims: Record<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startTestIdp(client: { clientId: string; clientSecret: string; redirectUri: string; postLogoutRedirectUri: string }): Promise<TestIdp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: TestIdp = { issuer, nextLogin: '', claims: {}, close: () => new Promise((r) => server.close(() => r())) };
  const provider = new Provider(issuer, {
    clients: [{ client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: [client.redirectUri],
      post_logout_redirect_uris: [client.postLogoutRedirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name', 'role', 'agency', 'personalId'] },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id, name: `Người dùng ${id}`, ...(idp.claims[id] ?? {}) }) }),
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true, logoutSource: async (ctx: { body: string }, form: string) => { ctx.body = `<html><body>${form}<button id="idp-logout" form="op.logoutForm" type="submit" name="logout" value="yes">Đăng xuất</button></body></html>`; } } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    loadExistingGrant: async (ctx: any) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
    cookies: { keys: ['test-idp-cookie-key'] },
  });
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      provider.interactionFinished(req, res, { login: { accountId: idp.nextLogin } }, { mergeWithLastSubmission: false })
        .catch((err: unknown) => { res.statusCode = 500; res.end(String(err)); });
      return;
    }
    callback(req, res);
  });
  return idp;
}

/** A browser for the IdP side: follows redirects by hand, keeps the IdP's cookies, stops at `stopAt`. */
export async function followUntil(start: string, stopAt: string, maxHops = 10): Promise<URL> {
  const jar = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < maxHops; hop++) {
    if (url.startsWith(stopAt)) return new URL(url);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      jar.set(k!, v.join('='));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`IdP answered ${res.status} at ${url}: ${(await res.text()).slice(0, 300)}`);
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}
