// The API client. The token lives in this module and in sessionStorage
// (so a reload keeps the session and closing the tab ends it); never in a
// cookie or localStorage. A refused or expired token logs out at once.

const KEY = 'reactbin.token';
const BASE = '/api/v1';
const MAX_TIMER_MS = 2 ** 31 - 1;

export const session = new EventTarget();
let token = null;
let expiresAt = 0;
let expiryTimer = 0;

export class ApiError extends Error {
  constructor(status, body, headers, message) {
    const e = (body && body.error) || {};
    super(message || e.message || `The server answered ${status}.`);
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
    this.reaction = body && body.reaction;
    const wait = headers && Number.parseInt(headers.get('retry-after'), 10);
    this.retryAfter = Number.isFinite(wait) ? wait : 0;
  }
}

// The token's own exp claim tells when it runs out; the server decides.
function claimExpiry(t) {
  try {
    const part = t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const exp = JSON.parse(atob(part)).exp;
    return Number.isFinite(exp) ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}

export function signIn(t) {
  token = t;
  expiresAt = claimExpiry(t);
  sessionStorage.setItem(KEY, t);
  clearTimeout(expiryTimer);
  const left = expiresAt - Date.now();
  if (expiresAt && left < MAX_TIMER_MS) {
    expiryTimer = setTimeout(() => signOut('expired'), Math.max(left, 0));
  }
}

export function signOut(reason) {
  const had = token !== null;
  token = null;
  expiresAt = 0;
  clearTimeout(expiryTimer);
  sessionStorage.removeItem(KEY);
  if (had) session.dispatchEvent(new CustomEvent('signout', { detail: reason }));
}

export function restore() {
  const t = sessionStorage.getItem(KEY);
  if (t && (!claimExpiry(t) || claimExpiry(t) > Date.now())) signIn(t);
  else sessionStorage.removeItem(KEY);
  return token !== null;
}

export const signedIn = () => token !== null;

function authHeaders() {
  // A tab asleep past the expiry may not have run its timer yet.
  if (expiresAt && Date.now() >= expiresAt) signOut('expired');
  return token ? { authorization: `Bearer ${token}` } : {};
}

function refused(status) {
  if (status === 401) signOut('refused');
}

export function queryString(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params || {})) {
    if (v === '' || v == null) continue;
    parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%2F/g, '/')}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export async function api(path, { method = 'GET', json, query, signal, anonymous, keepalive } = {}) {
  const headers = anonymous ? {} : authHeaders();
  if (!anonymous && !token) throw new ApiError(401, null, null, 'Log in first.');
  let body;
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  }
  let res;
  try {
    res = await fetch(BASE + path + queryString(query), { method, headers, body, signal, keepalive });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null, null, 'reactbin cannot be reached. Check the connection and try again.');
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.ok) return data;
  if (!anonymous) refused(res.status);
  throw new ApiError(res.status, data, res.headers);
}

export async function login(username, password) {
  const r = await api('/auth/login', { method: 'POST', json: { username, password }, anonymous: true });
  signIn(r.access_token);
}

// An upload as the raw body, so that XMLHttpRequest reports the bytes
// sent as they go. Returns { done: Promise<reaction>, abort }.
export function upload(file, { title, tags }, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    const headers = authHeaders();
    if (!token) {
      reject(new ApiError(401, null, null, 'Log in first.'));
      return;
    }
    xhr.open('POST', BASE + '/reactions' + queryString({ title, tags }));
    xhr.setRequestHeader('authorization', headers.authorization);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status === 201) {
        resolve(xhr.response);
        return;
      }
      refused(xhr.status);
      const hdrs = { get: (n) => xhr.getResponseHeader(n) };
      reject(new ApiError(xhr.status, xhr.response, hdrs));
    };
    xhr.onerror = () => reject(new ApiError(0, null, null, 'The upload was cut off before the server answered.'));
    xhr.onabort = () => reject(new ApiError(0, null, null, 'Cancelled.'));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

// A request whose answer is not JSON (the export's tar): the Response
// itself, for its headers and its body as a stream. Errors as api().
export async function fetchRaw(path, { query, signal } = {}) {
  const headers = authHeaders();
  if (!token) throw new ApiError(401, null, null, 'Log in first.');
  let res;
  try {
    res = await fetch(BASE + path + queryString(query), { headers, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null, null, 'reactbin cannot be reached. Check the connection and try again.');
  }
  if (res.ok) return res;
  const data = await res.json().catch(() => null);
  refused(res.status);
  throw new ApiError(res.status, data, res.headers);
}
