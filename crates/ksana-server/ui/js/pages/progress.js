// #/progress?sim=&track=&car=: best and median counting lap of each session of a track + car,
// oldest to newest, as a line chart and a table. Without a track + car: the combinations that
// have laps to choose from.

import { h, append } from "../dom.js";
import * as api from "../api.js";
import { lapTime, dateOnly, dateTime } from "../format.js";
import { lineChart } from "../chart.js";

const BEST = "var(--best)";
const MEDIAN = "var(--accent)";

function comboHref(b) {
  return `#/progress?${new URLSearchParams({ sim: b.sim, track: b.track, car: b.car })}`;
}

/** A lap-time axis label: m:ss.s (or m:ss when whole). */
function axisTime(ms) {
  const t = lapTime(Math.round(ms));
  return t.endsWith("00") ? t.slice(0, -2).replace(/\.0$/, "") : t.slice(0, -2);
}

export async function render(main, { params, signal }) {
  const sim = params.get("sim") || "";
  const track = params.get("track") || "";
  const car = params.get("car") || "";
  main.appendChild(h("h1", null, "Progress"));

  const bests = await api.bests({}, signal);
  if (!track || !car) {
    main.appendChild(h("p.sub", null, "Pick a track and car: best and median valid lap of each session over time."));
    if (!bests.bests.length) {
      main.appendChild(h("p.empty", null, "No track + car has a valid lap yet."));
      return;
    }
    const frag = document.createDocumentFragment();
    for (const b of bests.bests) {
      frag.appendChild(
        h("tr", null,
          h("td", null, h("a.combo", { href: comboHref(b) }, `${b.track} · ${b.car}`)),
          h("td", null, b.sim),
          h("td.num.best", null, lapTime(b.best_lap_ms)),
          h("td.num", null, lapTime(b.theoretical_best_ms)),
          h("td", null, dateOnly(b.date)),
        ),
      );
    }
    main.appendChild(
      h("div.table-wrap", null,
        h("table#combos", null,
          h("thead", null, h("tr", null, h("th", null, "Track · car"), h("th", null, "Sim"), h("th.num", null, "Personal best"), h("th.num", null, "Theoretical"), h("th", null, "Date"))),
          h("tbody", null, frag),
        ),
      ),
    );
    return;
  }

  const p = await api.progress({ sim, track, car }, signal);
  const pb = bests.bests.find((b) => b.track === track && b.car === car && (!sim || b.sim === sim));
  append(main, [
    h("p.sub", null, `${track} · ${car}${sim ? ` · ${sim}` : ""} — ${p.sessions.length} session(s), oldest first`),
  ]);
  if (pb) {
    main.appendChild(
      h("div.cards", null,
        h("div.card", null, h("div.k", null, "Personal best"), h("div.v.best", null, lapTime(pb.best_lap_ms))),
        h("div.card", null, h("div.k", null, "Theoretical best"), h("div.v", null, lapTime(pb.theoretical_best_ms))),
        h("div.card", null, h("div.k", null, "Set on"), h("div.v", null, dateOnly(pb.date))),
      ),
    );
  }
  if (!p.sessions.length) {
    main.appendChild(h("p.empty", null, "No sessions of this track + car."));
    return;
  }

  const pts = p.sessions;
  const xs = pts.map((_, i) => i);
  const label = (i) => `${dateTime(pts[i].date)} · session ${pts[i].session_id}`;
  const step = Math.max(1, Math.ceil(pts.length / 8));
  const ticks = xs.filter((i) => i % step === 0).map((i) => ({ value: i, label: dateOnly(pts[i].date) }));
  const box = h("div.chart#progress-chart");
  main.appendChild(box);
  main.appendChild(
    h("div.legend", null,
      h("span", null, h("span.sw", { style: `background:${BEST}` }), "best valid lap"),
      h("span", null, h("span.sw", { style: `background:${MEDIAN}` }), "median valid lap"),
    ),
  );
  lineChart(box, {
    title: "Lap time per session",
    height: 260,
    xMin: pts.length > 1 ? 0 : -0.5,
    xMax: pts.length > 1 ? pts.length - 1 : 0.5,
    xTicks: ticks,
    yFormat: axisTime,
    series: [
      { name: "median", color: MEDIAN, xs, ys: pts.map((q) => q.median_lap_ms), dots: true, titles: pts.map((q, i) => `${label(i)}: median ${lapTime(q.median_lap_ms)}`) },
      { name: "best", color: BEST, xs, ys: pts.map((q) => q.best_lap_ms), dots: true, titles: pts.map((q, i) => `${label(i)}: best ${lapTime(q.best_lap_ms)}`) },
    ],
  });

  const frag = document.createDocumentFragment();
  for (let i = pts.length - 1; i >= 0; i--) {
    const q = pts[i];
    const isPb = pb && pb.session_id === q.session_id;
    frag.appendChild(
      h("tr", null,
        h("td", null, h("a", { href: `#/session/${encodeURIComponent(q.session_id)}` }, dateTime(q.date))),
        h(`td.num${isPb ? ".best" : ""}`, null, lapTime(q.best_lap_ms)),
        h("td.num", null, lapTime(q.median_lap_ms)),
        h("td.num", null, `${q.valid_laps} / ${q.lap_count}`),
      ),
    );
  }
  main.appendChild(
    h("div.table-wrap", null,
      h("table#progress-table", null,
        h("thead", null, h("tr", null, h("th", null, "Session"), h("th.num", null, "Best"), h("th.num", null, "Median"), h("th.num", null, "Valid / laps"))),
        h("tbody", null, frag),
      ),
    ),
  );
}
