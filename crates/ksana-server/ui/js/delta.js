// Time delta between laps at equal distance, from their traces: for each distance d on a common
// grid, t_lap(d) − t_ref(d), where t(d) is interpolated linearly between the trace's points
// (the trace's distance never decreases).

/** The index of the last point with dist ≤ d (−1 when d is before the first). */
export function lastAtOrBefore(points, d) {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0 || points[0].dist > d) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid].dist <= d) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The lap's time (s since its start) at distance d, interpolated; null outside the trace. */
export function timeAt(points, d) {
  const i = lastAtOrBefore(points, d);
  if (i < 0) return null;
  const a = points[i];
  if (a.dist === d || i === points.length - 1) return a.dist === d ? a.t : null;
  const b = points[i + 1];
  const span = b.dist - a.dist;
  return span > 0 ? a.t + ((d - a.dist) / span) * (b.t - a.t) : a.t;
}

/** The point nearest to distance d (null for an empty trace). */
export function nearest(points, d) {
  if (!points.length) return null;
  const i = lastAtOrBefore(points, d);
  if (i < 0) return points[0];
  if (i === points.length - 1) return points[i];
  return d - points[i].dist <= points[i + 1].dist - d ? points[i] : points[i + 1];
}

/**
 * The delta trace of `points` against `ref` on `n` distances spread evenly over the range both
 * cover: { xs: distances, ys: seconds (positive = slower than ref) }. Empty when they do not
 * overlap.
 */
export function deltaTrace(ref, points, n = 400) {
  if (ref.length < 2 || points.length < 2) return { xs: [], ys: [] };
  const lo = Math.max(ref[0].dist, points[0].dist);
  const hi = Math.min(ref[ref.length - 1].dist, points[points.length - 1].dist);
  if (!(hi > lo)) return { xs: [], ys: [] };
  const xs = [];
  const ys = [];
  for (let k = 0; k < n; k++) {
    const d = k === n - 1 ? hi : lo + ((hi - lo) * k) / (n - 1);
    const a = timeAt(ref, d);
    const b = timeAt(points, d);
    xs.push(d);
    ys.push(a === null || b === null ? null : b - a);
  }
  return { xs, ys };
}
