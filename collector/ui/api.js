// api.js - the collector's read API with the read token: kept in this tab's sessionStorage,
// sent in the Authorization header, never in a URL (so never in history, logs or referrers).

const KEY = "c2d.token";

export class AuthError extends Error {}
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(t) {
  if (t) sessionStorage.setItem(KEY, t);
  else sessionStorage.removeItem(KEY);
}

// GET /v1/<path>?params; the parsed answer. 404 answers resolve to null when allow404.
export async function get(path, params = {}, { allow404 = false } = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const url = "/v1/" + path + (q.toString() ? "?" + q : "");
  let res;
  try {
    res = await fetch(url, {
      headers: { Authorization: "Bearer " + (token() || ""), Accept: "application/json" },
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch (e) {
    throw new ApiError("the collector cannot be reached (" + e.message + ")", 0);
  }
  if (res.status === 401 || res.status === 403) {
    let msg = "the collector refused this token";
    try {
      msg += " (" + (await res.json()).error + ")";
    } catch { /* keep the plain message */ }
    throw new AuthError(msg);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    throw new ApiError("the collector answered " + res.status + " with something that is not JSON", res.status);
  }
  if (res.status === 404 && allow404) return null;
  if (!res.ok) throw new ApiError((body && body.error) || "HTTP " + res.status, res.status);
  return body;
}
