// Checks an HTML report of `ksana export --format html` in headless Chromium:
//
//   node tools/browser/check_html.mjs REPORT.html [LAPS.json] [--screenshot NAME]
//
// - the page loads from file:// and makes no request but for its own file (and data: URLs),
//   with no console error or exception;
// - with LAPS.json (`ksana laps --json` of the same recording): every lap of every session is
//   a row of the lap table with the time `m:ss.mmm` (or `—`) of the JSON, in order;
// - every lap chart (figure.lap-chart) has four drawn traces (speed, throttle, brake, gear):
//   SVG paths with at least two points, a length and a box of non-zero width; there is one
//   chart per timed lap of the JSON;
// - a full-page screenshot goes to target/screenshots/NAME.png (default: the report's name).
//
// Exits 0 when every check passes, 1 with a FAIL line per failed check otherwise.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { Checks, fileUrl, foreignRequests, openBrowser, openPage, screenshot } from "./lib.mjs";

const args = process.argv.slice(2);
let shotName = null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--screenshot") shotName = args[++i];
  else files.push(args[i]);
}
if (files.length < 1 || files.length > 2) {
  console.error("usage: check_html.mjs REPORT.html [LAPS.json] [--screenshot NAME]");
  process.exit(2);
}
const [report, lapsJson] = files;
const expected = lapsJson ? JSON.parse(readFileSync(lapsJson, "utf8")) : null;

/** `m:ss.mmm`, as `ksana laps` prints a time. */
function lapTime(ms) {
  if (ms === null || ms === undefined) return "—";
  const m = Math.floor(ms / 60000);
  const s = Math.floor(ms / 1000) % 60;
  const r = ms % 1000;
  return `${m}:${String(s).padStart(2, "0")}.${String(r).padStart(3, "0")}`;
}

const c = new Checks();
const url = fileUrl(report);
const browser = await openBrowser();
let summary = "";
try {
  const { page, requests, errors } = await openPage(browser, url);
  const foreign = foreignRequests(requests, [url]);
  c.check(foreign.length === 0, `requests other than the file itself: ${foreign.join(", ")}`);
  c.check(requests.includes(url), `the page's own request is missing: ${requests.join(", ")}`);
  c.check(errors.length === 0, `console errors: ${errors.join("; ")}`);

  // The lap tables as the browser shows them.
  const rows = await page.$$eval("section.session table.laps tbody tr", (trs) =>
    trs.map((tr) => ({
      session: Number(tr.dataset.session),
      lap: Number(tr.querySelector("td.num").innerText.trim()),
      time: tr.querySelector("td.time").innerText.trim(),
    })),
  );
  if (expected) {
    const want = [];
    expected.sessions.forEach((s, i) =>
      s.laps.forEach((l) => want.push({ session: i + 1, lap: l.number, time: lapTime(l.time_ms) })),
    );
    c.check(
      rows.length === want.length,
      `the lap tables have ${rows.length} rows, the JSON ${want.length} laps`,
    );
    want.forEach((w, i) => {
      const got = rows[i];
      c.check(
        got && got.session === w.session && got.lap === w.lap && got.time === w.time,
        `lap row ${i}: shown ${JSON.stringify(got)}, JSON ${JSON.stringify(w)}`,
      );
    });
  }
  // Without the JSON, a page with no lap at all is taken for a broken one.
  if (!expected) c.check(rows.length > 0, "no lap rows in the page");

  // The charts: every trace drawn.
  const charts = await page.$$eval("figure.lap-chart", (figs) =>
    figs.map((f) => ({
      id: f.id,
      session: Number(f.dataset.session),
      lap: Number(f.dataset.lap),
      visible: f.getBoundingClientRect().width > 0,
      traces: [...f.querySelectorAll("svg path.trace")].map((p) => {
        const d = p.getAttribute("d") || "";
        const box = p.getBBox();
        return {
          kind: p.classList[1],
          points: (d.match(/[MLHV]/g) || []).length,
          length: p.getTotalLength(),
          width: box.width,
        };
      }),
    })),
  );
  if (expected) {
    const timed = [];
    expected.sessions.forEach((s, i) =>
      s.laps.forEach((l) => {
        if (l.time_ms !== null) timed.push(`${i + 1}/${l.number}`);
      }),
    );
    const drawn = charts.map((f) => `${f.session}/${f.lap}`);
    c.check(
      JSON.stringify(drawn) === JSON.stringify(timed),
      `charts of laps ${drawn.join(", ")}, timed laps in the JSON ${timed.join(", ")}`,
    );
  }
  if (!expected) c.check(charts.length > 0, "no lap chart in the page");
  for (const f of charts) {
    c.check(f.visible, `chart ${f.id} is not shown`);
    const kinds = f.traces.map((t) => t.kind).join(",");
    c.check(kinds === "speed,throttle,brake,gear", `chart ${f.id} has traces ${kinds}`);
    for (const t of f.traces) {
      c.check(
        t.points >= 2 && t.length > 0 && t.width > 0,
        `chart ${f.id}: the ${t.kind} trace is not drawn (${t.points} points, length ${t.length}, width ${t.width})`,
      );
    }
  }
  const shot = await screenshot(page, shotName || basename(report).replace(/\.html?$/, ""));
  summary =
    `${report}: ${rows.length} lap rows, ${charts.length} charts drawn, ` +
    `${requests.length} request(s), all its own; screenshot ${shot}`;
} finally {
  await browser.close();
}
c.finish(summary);
