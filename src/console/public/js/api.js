// Calls the gateway's API with the user's bearer token. Every refusal becomes an ApiError carrying the
// API's stable `code` and its Vietnamese `message` (src/errors.ts), which the pages show as they are.
import { session } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }
}

export async function api(path, { method = 'GET', body, query } = {}) {
  const token = session.token();
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  else if (session.sso() && method !== 'GET') headers['x-csrf-token'] = session.sso().csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(url, { method, headers, cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'Không kết nối được máy chủ của cổng dữ liệu.');
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, json?.code ?? `HTTP_${res.status}`, json?.message ?? `Máy chủ trả lời lỗi HTTP ${res.status}.`, json?.details);
  }
  return json;
}

/**
 * The SSO session of this browser, if any: {status: 'SIGNED_IN', session} | {status: 'SIGNED_OUT'} |
 * {status: 'NO_SSO'} (the gateway has no SSO sign-in configured).
 */
export async function ssoSession() {
  const res = await fetch('/auth/session', { cache: 'no-store', credentials: 'same-origin' }).catch(() => null);
  const json = res?.ok ? await res.json().catch(() => null) : null;
  if (json?.signedIn) return { status: 'SIGNED_IN', session: json };
  return { status: json?.sso ? 'SIGNED_OUT' : 'NO_SSO' };
}

/** Ends the SSO session here; the answer names the SSO's end-session page when it has one. */
export async function ssoLogout() {
  const res = await fetch('/auth/logout', { method: 'POST', cache: 'no-store', credentials: 'same-origin' }).catch(() => null);
  const json = res?.ok ? await res.json().catch(() => null) : null;
  return json?.endSessionUrl ?? null;
}

/** Bull Board reads the token from a cookie only it receives (it is opened as a page, without headers). */
export async function openQueueBoard() {
  // The tab is opened during the click (a popup blocker allows that), then sent to the board.
  const tab = window.open('about:blank', '_blank');
  const res = await fetch('/admin/queues/session', { method: 'POST', headers: { authorization: `Bearer ${session.token()}` }, cache: 'no-store' });
  if (!res.ok) {
    tab?.close();
    const json = await res.json().catch(() => null);
    throw new ApiError(res.status, json?.code ?? `HTTP_${res.status}`, json?.message ?? 'Không mở được bảng hàng đợi.');
  }
  if (tab) {
    tab.opener = null;
    tab.location.href = '/admin/queues/';
  } else {
    location.assign('/admin/queues/');
  }
}

/** Forgets the board's cookie (signing out). */
export function closeQueueBoard() {
  return fetch('/admin/queues/session', { method: 'DELETE', cache: 'no-store' }).catch(() => {});
}

/** A binary answer (the signed CV) or an upload (a legacy file): the same token and the same error shape as api(). */
export async function apiBytes(path, { method = 'GET', body, contentType, query } = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  const headers = { authorization: `Bearer ${session.token()}` };
  if (contentType) headers['content-type'] = contentType;
  let res;
  try {
    res = await fetch(url, { method, headers, cache: 'no-store', ...(body !== undefined ? { body } : {}) });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'Không kết nối được máy chủ của cổng dữ liệu.');
  }
  if (!res.ok) {
    const json = await res.json().catch(() => null);
    throw new ApiError(res.status, json?.code ?? `HTTP_${res.status}`, json?.message ?? `Máy chủ trả lời lỗi HTTP ${res.status}.`, json?.details);
  }
  return res;
}
