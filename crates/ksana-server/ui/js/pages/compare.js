// #/compare?laps=S:N,S:N,…: two or more laps (of any sessions) overlaid by lap distance —
// speed, throttle, brake, gear — and the time delta of each lap against the first one, at equal
// distance, computed from the traces. A cursor shared by every chart reads the values out.

import { h, append } from "../dom.js";
import * as api from "../api.js";
import { lapTime, deltaSeconds, delta, sectorTime } from "../format.js";
import { lineChart } from "../chart.js";
import { deltaTrace, nearest, timeAt } from "../delta.js";

/** Points asked per trace. */
const POINTS = 1000;
/** Line colours, in the order of the laps. */
export const COLORS = ["#4fb3ff", "#ff7a45", "#3ddc84", "#e05cd8", "#ffd24f", "#9aa7ff", "#ff5c7a", "#57e0d0"];

/** `S:N,S:N` → [[S, N], …] (malformed items dropped). */
export function parseLaps(text) {
  return (text || "")
    .split(",")
    .map((p) => p.trim().split(":"))
    .filter((p) => p.length === 2 && /^\d+$/.test(p[0]) && /^\d+$/.test(p[1]))
    .map(([s, l]) => [Number(s), Number(l)]);
}

const pct = (v) => `${Math.round(v * 100)}%`;
const distPct = (v) => `${Math.round(v * 100)}%`;

export async function render(main, { params, signal }) {
  main.appendChild(h("h1", null, "Lap comparison"));
  const wanted = parseLaps(params.get("laps")).slice(0, COLORS.length);
  if (wanted.length < 2) {
    append(main, [
      h("p.sub", null, "Overlay two or more laps by distance: open a session, tick laps and press “Compare selected laps”."),
      h("p", null, h("a", { href: "#/sessions" }, "→ sessions")),
    ]);
    return;
  }

  // Each session once (for names and lap times), every trace in parallel.
  const ids = [...new Set(wanted.map(([sid]) => sid))];
  const sessions = new Map();
  await Promise.all(ids.map(async (sid) => sessions.set(sid, await api.session(sid, signal))));
  const results = await Promise.all(
    wanted.map(([sid, n]) =>
      api.trace(sid, n, POINTS, signal).then(
        (t) => ({ ok: t }),
        (e) => ({ err: e }),
      ),
    ),
  );
  if (signal.aborted) return;

  const laps = [];
  wanted.forEach(([sid, n], i) => {
    const se = sessions.get(sid);
    const lap = se.laps.find((l) => l.number === n) || null;
    const r = results[i];
    const name = ids.length > 1 ? `S${sid} lap ${n}` : `lap ${n}`;
    if (r.err) {
      main.appendChild(h("p.error", null, `${name}: ${r.err.message}`));
      return;
    }
    laps.push({ sid, n, session: se, lap, name, color: COLORS[i % COLORS.length], points: r.ok.points, time_ms: r.ok.time_ms });
  });
  if (laps.length < 2) {
    main.appendChild(h("p.empty", null, "Fewer than two laps have a trace: nothing to compare."));
    return;
  }
  const ref = laps[0];

  // Legend: lap, time, gap to the reference by lap time, session.
  const legend = h("div.table-wrap", null);
  const frag = document.createDocumentFragment();
  laps.forEach((l, i) => {
    const gap = i === 0 || l.time_ms === null || ref.time_ms === null ? "reference" : delta(l.time_ms - ref.time_ms);
    frag.appendChild(
      h("tr", { dataset: { session: l.sid, lap: l.n } },
        h("td", null, h("span.sw", { style: `display:inline-block;width:1rem;height:.25rem;background:${l.color}` })),
        h("td", null, h("a", { href: `#/session/${encodeURIComponent(l.sid)}` }, l.name)),
        h("td.num.time", null, lapTime(l.time_ms)),
        h("td.num", null, gap),
        h("td", null, `${l.session.track} · ${l.session.car}`),
        h("td.readout", { dataset: { readout: i } }, ""),
      ),
    );
  });
  legend.appendChild(
    h("table#compare-laps", null,
      h("thead", null, h("tr", null, h("th", null, ""), h("th", null, "Lap"), h("th.num", null, "Time"), h("th.num", null, "Gap"), h("th", null, "Track · car"), h("th", null, "At cursor"))),
      h("tbody", null, frag),
    ),
  );
  main.appendChild(legend);

  // Sectors of each lap and the time gained or lost in each against the reference.
  const nSec = Math.max(0, ...laps.map((l) => (l.lap ? l.lap.sectors_ms.length : 0)));
  if (nSec > 0) {
    const head = h("tr", null, h("th", null, "Lap"));
    for (let k = 1; k <= nSec; k++) head.appendChild(h("th.num", null, `S${k}`));
    const rows = document.createDocumentFragment();
    for (const l of laps) {
      const tr = h("tr", { dataset: { lap: l.n } }, h("td", null, l.name));
      for (let k = 0; k < nSec; k++) {
        const t = l.lap ? l.lap.sectors_ms[k] ?? null : null;
        const r = ref.lap ? ref.lap.sectors_ms[k] ?? null : null;
        const d = l === ref || t === null || r === null ? "" : ` (${delta(t - r)})`;
        tr.appendChild(h(`td.num.sector${d && t > r ? ".pos" : d && t < r ? ".neg" : ""}`, null, `${sectorTime(t)}${d}`));
      }
      rows.appendChild(tr);
    }
    main.appendChild(h("h2", null, "Sectors (Δ to the reference)"));
    main.appendChild(h("div.table-wrap", null, h("table#compare-sectors", null, h("thead", null, head), h("tbody", null, rows))));
    main.appendChild(h("h2", null, "Traces"));
  }

  const deltas = laps.map((l) => deltaTrace(ref.points, l.points));
  const charts = [];
  const readouts = [...legend.querySelectorAll("[data-readout]")];
  const onCursor = (d) => {
    for (const c of charts) c.setCursor(d);
    laps.forEach((l, i) => {
      if (d === null) {
        readouts[i].textContent = "";
        return;
      }
      const p = nearest(l.points, d);
      const tr = timeAt(ref.points, d);
      const tl = timeAt(l.points, d);
      const parts = [`${distPct(d)}`];
      if (p) {
        if (p.speed_kmh !== null) parts.push(`${Math.round(p.speed_kmh)} km/h`);
        if (p.throttle !== null) parts.push(`T ${pct(p.throttle)}`);
        if (p.brake !== null) parts.push(`B ${pct(p.brake)}`);
        if (p.gear !== null) parts.push(`G ${p.gear}`);
      }
      if (i > 0 && tr !== null && tl !== null) parts.push(`Δ ${deltaSeconds(tl - tr)} s`);
      readouts[i].textContent = parts.join(" · ");
    });
  };

  const channel = (key) => laps.map((l) => ({ name: l.name, color: l.color, xs: l.points.map((p) => p.dist), ys: l.points.map((p) => p[key]) }));
  const defs = [
    { id: "chart-delta", title: `Time delta vs ${ref.name} (s, + = slower)`, series: laps.map((l, i) => ({ name: l.name, color: l.color, xs: deltas[i].xs, ys: deltas[i].ys })), yFormat: (v) => deltaSeconds(v).replace(/0+$/, "").replace(/\.$/, "") || "0", height: 170 },
    { id: "chart-speed", title: "Speed (km/h)", series: channel("speed_kmh"), height: 200 },
    { id: "chart-throttle", title: "Throttle", series: channel("throttle"), yMin: 0, yMax: 1, yFormat: pct, height: 120 },
    { id: "chart-brake", title: "Brake", series: channel("brake"), yMin: 0, yMax: 1, yFormat: pct, height: 120 },
    { id: "chart-gear", title: "Gear", series: channel("gear").map((se) => ({ ...se, step: true })), yFormat: (v) => (Number.isInteger(v) ? String(v) : ""), height: 120 },
  ];
  const xMin = Math.min(...laps.map((l) => (l.points.length ? l.points[0].dist : 0)), 0);
  const xMax = Math.max(...laps.map((l) => (l.points.length ? l.points[l.points.length - 1].dist : 1)), 1);
  for (const d of defs) {
    const box = h(`div.chart#${d.id}`);
    main.appendChild(box);
    charts.push(lineChart(box, { ...d, xMin, xMax, xFormat: distPct, onCursor }));
  }
  main.appendChild(h("p.muted", null, "x: distance along the lap. The delta is each lap's time at equal distance minus the reference lap's, from the traces."));
}
