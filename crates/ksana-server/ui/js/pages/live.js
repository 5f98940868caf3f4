// #/live: laps as they are stored (ksana dump, uploads, other drivers on a shared server), from
// the Server-Sent Events stream /api/v1/live, newest on top. A lap that beats the best counting
// lap seen for its session is purple.

import { h, append } from "../dom.js";
import * as api from "../api.js";
import { lapTime, sectorTime, lapFlags } from "../format.js";

/** Most rows kept on the page (older ones are dropped). */
const MAX_ROWS = 2000;

export async function render(main) {
  append(main, [
    h("h1", null, "Live"),
    h("p.sub", null, "Laps appear here as they are stored, by ksana dump on this machine or by anyone writing to this server's database."),
  ]);
  const dot = h("span.dot");
  const status = h("span#live-status", null, "connecting…");
  const counter = h("span.muted#live-count", null, "0 laps");
  main.appendChild(h("div.toolbar", null, h("span.status", null, dot, status), counter));

  const tbody = h("tbody");
  const empty = h("p.empty#live-empty", null, "Waiting for laps…");
  main.appendChild(
    h("div.table-wrap", null,
      h("table#live-table", null,
        h("thead", null,
          h("tr", null, h("th", null, "Received"), h("th", null, "Session"), h("th.num", null, "Lap"), h("th.num", null, "Time"), h("th.num", null, "Sectors"), h("th", null, "flags")),
        ),
        tbody,
      ),
    ),
  );
  main.appendChild(empty);

  // Per session: its name (fetched once) and the best counting lap seen.
  const sessions = new Map();
  const info = (sid) => {
    let e = sessions.get(sid);
    if (!e) {
      e = { label: `session ${sid}`, best: null, cells: [] };
      sessions.set(sid, e);
      api
        .session(sid)
        .then((s) => {
          e.label = `${s.track} · ${s.car} (${s.sim})`;
          if (s.analysis.best_lap && (e.best === null || s.analysis.best_lap.time_ms < e.best)) e.best = s.analysis.best_lap.time_ms;
          for (const c of e.cells) c.textContent = e.label;
        })
        .catch(() => {});
    }
    return e;
  };

  let count = 0;
  const onLap = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    const lap = msg.lap || {};
    const e = info(msg.session_id);
    const counts = lap.valid && !lap.out_lap && !lap.in_lap && !lap.partial && lap.time_ms !== null && lap.time_ms !== undefined;
    const best = counts && (e.best === null || lap.time_ms <= e.best);
    if (best) e.best = lap.time_ms;
    const name = h("a", { href: `#/session/${encodeURIComponent(msg.session_id)}` }, e.label);
    e.cells.push(name);
    const flags = h("td");
    for (const f of lapFlags(lap)) flags.appendChild(h(`span.flag.${f}`, null, f));
    const tr = h("tr.fresh", { class: counts ? null : "nocount", dataset: { lapId: msg.lap_id, session: msg.session_id, lap: lap.number } },
      h("td", null, new Date().toLocaleTimeString()),
      h("td", null, name),
      h("td.num", null, String(lap.number)),
      h(`td.num.time${best ? ".best" : ""}`, null, lapTime(lap.time_ms)),
      h("td.num", null, (lap.sectors_ms || []).map((t) => sectorTime(t) || "—").join(" · ")),
      flags,
    );
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.childElementCount > MAX_ROWS) tbody.removeChild(tbody.lastChild);
    count += 1;
    counter.textContent = `${count} lap${count === 1 ? "" : "s"}`;
    empty.hidden = true;
  };

  const es = new EventSource("/api/v1/live");
  es.addEventListener("open", () => {
    dot.className = "dot on";
    status.textContent = "connected";
  });
  es.addEventListener("error", (ev) => {
    dot.className = "dot off";
    // An `error` event the server sent (the store failed) carries its message; a lost
    // connection carries none (the browser reconnects by itself).
    if (typeof ev.data === "string" && ev.data) status.textContent = `server: ${ev.data}`;
    else status.textContent = es.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…";
  });
  es.addEventListener("lap", onLap);
  return () => es.close();
}
