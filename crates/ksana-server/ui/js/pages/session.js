// #/session/ID: one session's lap table — lap times, sectors, best lap and best sectors in
// purple, laps that do not count (invalid, out, in, partial, unfinished) marked and dimmed,
// theoretical best, Δ to the best lap — with checkboxes to compare laps.

import { h, append } from "../dom.js";
import * as api from "../api.js";
import { lapTime, sectorTime, delta, dateTime, lapFlags } from "../format.js";

/** Laps shown at once when a session has more than PAGE_ALL. */
export const PAGE = 500;
/** Sessions up to this many laps show them all. */
export const PAGE_ALL = 1000;

/** The hash of a comparison of [sessionId, lap] pairs. */
export function compareHref(pairs) {
  return `#/compare?laps=${pairs.map(([s, l]) => `${s}:${l}`).join(",")}`;
}

/** Median (rounded down like the API's progress) and population standard deviation, ms. */
export function spread(times) {
  if (times.length === 0) return null;
  const v = [...times].sort((x, y) => x - y);
  const n = v.length;
  const median = n % 2 ? v[(n - 1) / 2] : Math.floor((v[n / 2 - 1] + v[n / 2]) / 2);
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { median, sd };
}

function card(label, value, cls, title) {
  return h("div.card", { title }, h("div.k", null, label), h(`div.v${cls ? `.${cls}` : ""}`, null, value));
}

export async function render(main, { parts, signal }) {
  const id = parts[0];
  if (!id) {
    location.hash = "#/sessions";
    return;
  }
  const s = await api.session(id, signal);
  const pbs = await api.bests({ sim: s.sim, track: s.track, car: s.car }, signal).catch(() => ({ bests: [] }));
  const pb = pbs.bests[0] || null;
  const a = s.analysis;

  const title = `${s.track} · ${s.car}`;
  append(main, [
    h("p.muted", null, h("a", { href: "#/sessions" }, "← sessions")),
    h("h1", null, title),
    h("p.sub", null,
      `${s.sim} · ${s.session_type}${s.driver ? ` · ${s.driver}` : ""} · ${dateTime(s.recorded_at || s.created_at)} · ended: ${s.end_reason}`),
  ]);

  const cards = h("div.cards");
  append(cards, [
    card("Best lap", a.best_lap ? lapTime(a.best_lap.time_ms) : "—", "best", a.best_lap ? `lap ${a.best_lap.lap}` : "no lap counts"),
    card("Theoretical best", lapTime(a.theoretical_best_ms), null, "sum of the best sectors"),
    card("Laps", `${a.counted_laps} / ${s.laps.length}`, null, "laps that count for bests / all laps"),
  ]);
  // Consistency of the laps that count: median and standard deviation.
  const st = spread(s.laps.filter((l) => l.counts_for_best && l.time_ms !== null).map((l) => l.time_ms));
  if (st) {
    cards.appendChild(card("Median lap", lapTime(st.median), null, "median of the laps that count for bests"));
    cards.appendChild(card("Std deviation", `${(st.sd / 1000).toFixed(3)} s`, null, "standard deviation of the laps that count for bests"));
  }
  if (pb) {
    cards.appendChild(card("Personal best", lapTime(pb.best_lap_ms), null, `session ${pb.session_id}, lap ${pb.lap_number}, ${dateTime(pb.date)}`));
    cards.appendChild(card("PB theoretical", lapTime(pb.theoretical_best_ms), null, "sum of the best sectors of every session of this track + car"));
  }
  main.appendChild(cards);

  const nSectors = Math.max(
    s.sector_count || 0,
    a.best_sectors.length,
    ...s.laps.map((l) => l.sectors_ms.length),
  );
  const bestLap = a.best_lap;
  const bestSector = a.best_sectors;

  // Toolbar: compare the checked laps.
  const selected = new Set();
  const count = h("span.muted", null, "");
  const compareBtn = h("button.primary#compare-selected", { type: "button", disabled: true }, "Compare selected laps");
  const update = () => {
    compareBtn.disabled = selected.size < 1 || (selected.size < 2 && !pb);
    count.textContent = selected.size ? `${selected.size} selected` : "tick laps to compare them";
  };
  compareBtn.addEventListener("click", () => {
    const laps = [...selected].sort((x, y) => x - y).map((n) => [s.id, n]);
    // One lap alone is compared with the personal best lap.
    if (laps.length === 1 && pb && !(pb.session_id === s.id && pb.lap_number === laps[0][1])) {
      laps.unshift([pb.session_id, pb.lap_number]);
    }
    if (laps.length >= 2) location.hash = compareHref(laps);
  });
  const tools = h("div.toolbar", null, compareBtn, count);
  if (bestLap && pb && !(pb.session_id === s.id && pb.lap_number === bestLap.lap)) {
    tools.appendChild(h("a", { href: compareHref([[pb.session_id, pb.lap_number], [s.id, bestLap.lap]]) }, "best lap vs personal best"));
  }
  tools.appendChild(h("a", { href: `#/progress?${new URLSearchParams({ sim: s.sim, track: s.track, car: s.car })}` }, "progress of this track + car"));
  main.appendChild(tools);

  // The table, built off-document in one fragment.
  const head = h("tr", null, h("th", null, ""), h("th.num", null, "Lap"), h("th.num", null, "Time"));
  for (let k = 1; k <= nSectors; k++) head.appendChild(h("th.num", null, `S${k}`));
  append(head, [h("th.num", null, "Δ best"), h("th", null, "flags")]);

  // Rows of one page of laps, built off-document and inserted at once. A session of more than
  // PAGE_ALL laps is shown PAGE laps at a time: laying out a table of thousands of rows costs
  // the browser seconds, a page of PAGE rows a fraction of one.
  const row = (l) => {
    const counts = l.counts_for_best;
    const isBest = counts && bestLap && bestLap.lap === l.number && bestLap.time_ms === l.time_ms;
    const tr = h("tr", { class: `${counts ? "" : "nocount"} ${selected.has(l.number) ? "selected" : ""}`, dataset: { lap: l.number } });
    tr.appendChild(h("td", null, h("input", { type: "checkbox", "aria-label": `compare lap ${l.number}`, value: l.number, disabled: l.time_ms === null, checked: selected.has(l.number) })));
    tr.appendChild(h("td.num", null, String(l.number)));
    tr.appendChild(h(`td.num.time${isBest ? ".best" : ""}`, null, lapTime(l.time_ms)));
    for (let k = 0; k < nSectors; k++) {
      const t = l.sectors_ms[k] ?? null;
      const b = bestSector[k];
      const best = counts && t !== null && b && b.lap === l.number && b.time_ms === t;
      tr.appendChild(h(`td.num.sector${best ? ".best" : ""}`, null, sectorTime(t)));
    }
    const d = l.delta_ms ?? null;
    tr.appendChild(h(`td.num.delta${d > 0 ? ".pos" : ""}`, null, delta(d)));
    const flags = h("td.flags");
    for (const f of lapFlags(l)) {
      flags.appendChild(h(`span.flag.${f}`, { title: f === "invalid" && l.invalid_reason ? `invalid: ${l.invalid_reason}` : null }, f));
    }
    tr.appendChild(flags);
    return tr;
  };
  const tbody = h("tbody");
  const paged = s.laps.length > PAGE_ALL;
  const pages = Math.max(1, Math.ceil(s.laps.length / PAGE));
  let page = 0;
  const pageInfo = h("span.muted#lap-page-info");
  const prevBtn = h("button#lap-page-prev", { type: "button" }, "← earlier laps");
  const nextBtn = h("button#lap-page-next", { type: "button" }, "later laps →");
  const showPage = (p) => {
    page = Math.min(pages - 1, Math.max(0, p));
    const laps = paged ? s.laps.slice(page * PAGE, (page + 1) * PAGE) : s.laps;
    const frag = document.createDocumentFragment();
    for (const l of laps) frag.appendChild(row(l));
    tbody.replaceChildren(frag);
    prevBtn.disabled = page === 0;
    nextBtn.disabled = page >= pages - 1;
    if (laps.length) pageInfo.textContent = `laps ${laps[0].number}–${laps[laps.length - 1].number} of ${s.laps.length}`;
  };
  prevBtn.addEventListener("click", () => showPage(page - 1));
  nextBtn.addEventListener("click", () => showPage(page + 1));
  const gotoBest = h("button#goto-best", { type: "button", disabled: !bestLap }, "go to the best lap");
  gotoBest.addEventListener("click", () => {
    const i = s.laps.findIndex((l) => bestLap && l.number === bestLap.lap);
    if (i < 0) return;
    if (paged) showPage(Math.floor(i / PAGE));
    const tr = tbody.querySelector(`tr[data-lap="${bestLap.lap}"]`);
    if (tr) tr.scrollIntoView({ block: "nearest" });
  });
  showPage(0);
  // One listener for every checkbox (thousands of laps: no per-row handlers).
  tbody.addEventListener("change", (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    const n = Number(box.value);
    if (box.checked) selected.add(n);
    else selected.delete(n);
    box.closest("tr").classList.toggle("selected", box.checked);
    update();
  });
  const foot = h("tfoot");
  if (a.theoretical_best_ms !== null && a.theoretical_best_ms !== undefined) {
    const tr = h("tr", null, h("td", null, ""), h("td.num.muted", null, "ideal"), h("td.num#theoretical-best", null, lapTime(a.theoretical_best_ms)));
    for (let k = 0; k < nSectors; k++) tr.appendChild(h("td.num.best", null, sectorTime(bestSector[k] ? bestSector[k].time_ms : null)));
    append(tr, [h("td", null, ""), h("td.muted", null, "theoretical best (sum of best sectors)")]);
    foot.appendChild(tr);
  }
  if (paged) main.appendChild(h("div.pager", null, prevBtn, nextBtn, pageInfo, gotoBest));
  // A long table scrolls inside its box, under its header (sticky).
  main.appendChild(h(`div.table-wrap${paged ? ".tall" : ""}`, null, h("table#laps-table", null, h("thead", null, head), tbody, foot)));
  update();
  if (s.recording || s.source) {
    main.appendChild(h("p.muted", null, `recording: ${s.source || s.recording}`));
  }
}
