// Talking to /api/v1 with a bearer token. The token comes from the login box or from the URL
// fragment (#token=…), which browsers never send to a server; it is kept in sessionStorage (this
// tab only) and the fragment is removed from the address bar at once.

const TOKEN_KEY = "lianfang.token";

export class AuthError extends Error {}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function takeTokenFromFragment() {
  const fragment = window.location.hash.replace(/^#/, "");
  if (!fragment) return null;
  const params = new URLSearchParams(fragment);
  const token = params.get("token");
  if (token === null) return null;
  params.delete("token");
  const rest = params.toString();
  const url = window.location.pathname + window.location.search + (rest ? `#${rest}` : "");
  window.history.replaceState(null, "", url);
  return token.trim() || null;
}

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

// GET a JSON document; 401 → AuthError, other errors → ApiError with the server's message.
export async function getJson(path, params = {}, token = storedToken()) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, value);
  }
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, { headers, cache: "no-store" });
  } catch (err) {
    throw new ApiError(0, "network", String(err.message || err));
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.status === 401) throw new AuthError(body?.message || "unauthorized");
  if (!response.ok) {
    throw new ApiError(response.status, body?.error || "error", body?.message || response.statusText);
  }
  return body;
}

// Every page of a paged /api/v1 listing (follows "next"), up to maxRows rows.
export async function getAllRows(path, params, maxRows) {
  const rows = [];
  let body = await getJson(path, params);
  rows.push(...body.data);
  while (body.next && rows.length < maxRows) {
    const next = new URL(body.next, window.location.origin);
    body = await getJson(next.pathname + next.search);
    rows.push(...body.data);
  }
  return { rows: rows.slice(0, maxRows), truncated: Boolean(body.next) || rows.length > maxRows };
}
