// The JSON API under /api/v1 (docs/API.md): GET with a query, errors as exceptions carrying
// the server's message.

/** An API failure: HTTP status and the server's `{"error": ...}` message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A query string from an object (empty and null values left out). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  }
  const t = q.toString();
  return t ? `?${t}` : "";
}

/** GET /api/v1/PATH?params as JSON; throws ApiError on a non-2xx answer. */
export async function get(path, params, signal) {
  const res = await fetch(`/api/v1/${path}${query(params)}`, {
    headers: { Accept: "application/json" },
    signal,
  });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const msg = body && typeof body.error === "string" ? body.error : `HTTP ${res.status}`;
    throw new ApiError(res.status, msg);
  }
  return body;
}

/** The sessions list: { sessions, limit, offset }. */
export const sessions = (filter, signal) => get("sessions", filter, signal);
/** One session with laps and analysis. */
export const session = (id, signal) => get(`sessions/${encodeURIComponent(id)}`, null, signal);
/** One lap's trace down-sampled to `points`. */
export const trace = (id, lap, points, signal) =>
  get(`sessions/${encodeURIComponent(id)}/laps/${encodeURIComponent(lap)}/trace`, { points }, signal);
/** Personal bests per sim + track + car: { bests }. */
export const bests = (filter, signal) => get("bests", filter, signal);
/** Progress per session of a track + car: { sessions }. */
export const progress = (filter, signal) => get("progress", filter, signal);
