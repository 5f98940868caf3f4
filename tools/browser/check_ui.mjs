// Browser check of `ksana serve`'s web UI (issue #8): opens every page against a server whose
// database holds sessions detected from fake-sim recordings, clicks from the sessions list
// into each session and on to a comparison of two laps, and asserts that what the pages show
// equals `ksana laps --json` of the same recordings (lap times, sectors, flags, bests,
// theoretical best), that the charts are drawn (SVG paths), that the live page shows laps
// stored while it is open, and that no request leaves 127.0.0.1. Screenshots of every page go
// to target/screenshots/ui/ (docs/UI.md).
//
// Environment (set by crates/ksana-server/tests/ui_browser.rs):
//   KSANA_UI_URL            the server, e.g. http://127.0.0.1:41234/
//   KSANA_UI_EXPECTED       `ksana laps --json` of the recordings stored in its database
//   KSANA_UI_LIVE_CMD       JSON argv of a command that stores more laps (run while #/live is open)
//   KSANA_UI_LIVE_EXPECTED  `ksana laps --json` of the recording that command stores

import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { openBrowser, screenshot, Checks, SCREENSHOT_DIR } from "./lib.mjs";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`check_ui: ${name} is not set`);
    process.exit(2);
  }
  return v;
};
const BASE = env("KSANA_UI_URL").replace(/\/?$/, "/");
const expected = JSON.parse(readFileSync(env("KSANA_UI_EXPECTED"), "utf8")).sessions;
const liveCmd = JSON.parse(env("KSANA_UI_LIVE_CMD"));
const liveExpected = JSON.parse(readFileSync(env("KSANA_UI_LIVE_EXPECTED"), "utf8")).sessions;

// The lap table's formats (docs/LAPS.md "The table"), written out again here on purpose: the
// check must not reuse the UI's own code.
const pad = (n, w) => String(n).padStart(w, "0");
const lapTime = (ms) => (ms === null ? "—" : `${Math.floor(ms / 60000)}:${pad(Math.floor(ms / 1000) % 60, 2)}.${pad(ms % 1000, 3)}`);
const sector = (ms) => (ms === null ? "" : `${Math.floor(ms / 1000)}.${pad(ms % 1000, 3)}`);
const signed = (ms) => (ms === null ? "" : `${ms < 0 ? "-" : "+"}${Math.floor(Math.abs(ms) / 1000)}.${pad(Math.abs(ms) % 1000, 3)}`);
const counts = (l) => l.valid && !l.out_lap && !l.in_lap && !l.partial && l.time_ms !== null;
function flags(l) {
  const f = [];
  if (l.time_ms === null) f.push("unfinished");
  else if (!l.valid) f.push("invalid");
  if (l.out_lap) f.push("out");
  if (l.in_lap) f.push("in");
  if (l.partial && l.time_ms !== null) f.push("partial");
  return f.join(" ");
}
/** Best lap, best sectors (lap numbers and times) and theoretical best of an expected session. */
function bests(s) {
  const c = s.laps.filter(counts);
  let best = null;
  for (const l of c) if (best === null || l.time_ms < best.time_ms) best = l;
  const n = s.sector_count || 0;
  const bs = [];
  for (let k = 0; k < n; k++) {
    let b = null;
    for (const l of c) {
      const t = l.sectors_ms[k];
      if (t !== null && t !== undefined && (b === null || t < b.t)) b = { lap: l.number, t };
    }
    bs.push(b);
  }
  const theo = bs.length && bs.every((b) => b) ? bs.reduce((a, b) => a + b.t, 0) : null;
  return { best, bs, theo };
}

const c = new Checks();
const shots = join(SCREENSHOT_DIR, "ui");
mkdirSync(shots, { recursive: true });
const browser = await openBrowser();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });

// Nothing may leave 127.0.0.1: every request is intercepted; another host is a failure and is
// never sent.
const foreign = [];
const requested = [];
await context.route("**/*", (route) => {
  const url = route.request().url();
  requested.push(url);
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    host = "";
  }
  if (host === "127.0.0.1") return route.continue();
  foreign.push(url);
  return route.abort("blockedbyclient");
});
const page = await context.newPage();
const errors = [];
page.on("console", (m) => {
  if (m.type() === "error") errors.push(`console: ${m.text()}`);
});
page.on("pageerror", (e) => errors.push(`exception: ${e.message}`));

/** Waits until the page at `hash` has rendered (body[data-ready=true] for that page). */
async function ready(name) {
  await page.waitForSelector(`body[data-page="${name}"][data-ready="true"]`, { timeout: 20000 });
  const err = await page.$$eval(".error", (els) => els.map((e) => e.textContent));
  c.check(err.length === 0, `${name}: the page shows errors: ${err.join(" | ")}`);
}
const text = (sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));

// 1. Sessions list.
await page.goto(`${BASE}#/sessions`, { waitUntil: "load" });
await ready("sessions");
const rows = await page.$$eval("#sessions-table tbody tr", (trs) =>
  trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())),
);
c.check(rows.length === expected.length, `sessions list: ${rows.length} rows, expected ${expected.length}`);
const listBests = rows.map((r) => r[7]).sort();
const wantBests = expected.map((s) => lapTime(bests(s).best ? bests(s).best.time_ms : null)).sort();
c.check(JSON.stringify(listBests) === JSON.stringify(wantBests), `sessions list bests ${listBests} != ${wantBests}`);
const listLaps = rows.map((r) => r[6]).sort();
const wantLaps = expected.map((s) => String(s.laps.length)).sort();
c.check(JSON.stringify(listLaps) === JSON.stringify(wantLaps), `sessions list lap counts ${listLaps} != ${wantLaps}`);
await screenshot(page, "ui/sessions");
// The filters: a known track keeps its sessions, an unknown one leaves none.
await page.fill('form.filters input[name="track"]', expected[0].track);
await page.click("form.filters button[type=submit]");
await ready("sessions");
const kept = (await page.$$("#sessions-table tbody tr")).length;
const wantKept = expected.filter((s) => s.track === expected[0].track).length;
c.check(kept === wantKept, `sessions filtered by track: ${kept} rows, expected ${wantKept}`);
await page.fill('form.filters input[name="track"]', "no such track");
await page.click("form.filters button[type=submit]");
await ready("sessions");
c.check((await page.$$("#sessions-table tbody tr")).length === 0, "sessions filtered by an unknown track: rows shown");

// 2. Each session: click from the list, compare the lap table with `ksana laps --json`.
let compared = null;
for (let i = 0; i < rows.length; i++) {
  await page.goto(`${BASE}#/sessions`);
  await ready("sessions");
  await page.locator("#sessions-table tbody tr a.session-link").nth(i).click();
  await ready("session");
  const rec = (await text("p.muted")).find((t) => t.startsWith("recording: "));
  const name = rec ? basename(rec.slice("recording: ".length)) : "";
  const want = expected.find((s) => basename(s.recording || "") === name);
  if (!c.check(want, `session ${i}: recording ${JSON.stringify(name)} is not among the expected`)) continue;
  const shown = await page.$$eval("#laps-table tbody tr", (trs) =>
    trs.map((tr) => ({
      lap: tr.dataset.lap,
      time: tr.querySelector("td.time").textContent,
      timeBest: tr.querySelector("td.time").classList.contains("best"),
      sectors: [...tr.querySelectorAll("td.sector")].map((td) => td.textContent),
      sectorBest: [...tr.querySelectorAll("td.sector")].map((td) => td.classList.contains("best")),
      delta: tr.querySelector("td.delta").textContent,
      flags: [...tr.querySelectorAll("td.flags .flag")].map((f) => f.textContent).join(" "),
      dim: tr.classList.contains("nocount"),
    })),
  );
  c.check(shown.length === want.laps.length, `${name}: ${shown.length} laps shown, expected ${want.laps.length}`);
  const b = bests(want);
  want.laps.forEach((l, k) => {
    const r = shown[k];
    if (!r) return;
    const at = `${name} lap ${l.number}`;
    c.check(r.lap === String(l.number), `${at}: row says lap ${r.lap}`);
    c.check(r.time === lapTime(l.time_ms), `${at}: time ${r.time}, expected ${lapTime(l.time_ms)}`);
    const ws = l.sectors_ms.map((t) => sector(t ?? null));
    c.check(JSON.stringify(r.sectors.slice(0, ws.length)) === JSON.stringify(ws), `${at}: sectors ${r.sectors}, expected ${ws}`);
    c.check(r.flags === flags(l), `${at}: flags "${r.flags}", expected "${flags(l)}"`);
    c.check(r.dim === !counts(l), `${at}: ${r.dim ? "dimmed" : "not dimmed"} but it ${counts(l) ? "counts" : "does not count"} for bests`);
    const isBest = b.best !== null && b.best.number === l.number;
    c.check(r.timeBest === isBest, `${at}: best-lap highlight ${r.timeBest}, expected ${isBest}`);
    const wantDelta = b.best !== null && l.time_ms !== null ? signed(l.time_ms - b.best.time_ms) : "";
    c.check(r.delta === wantDelta, `${at}: Δ ${r.delta}, expected ${wantDelta}`);
    b.bs.forEach((bs, j) => {
      const hl = bs !== null && bs.lap === l.number && counts(l);
      c.check(r.sectorBest[j] === hl, `${at}: S${j + 1} highlight ${r.sectorBest[j]}, expected ${hl}`);
    });
  });
  // Consistency: the median of the laps that count (the lower middle's mean rounded down).
  const cts = want.laps.filter(counts).map((l) => l.time_ms).sort((x, y) => x - y);
  const med = cts.length === 0 ? null : cts.length % 2 ? cts[(cts.length - 1) / 2] : Math.floor((cts[cts.length / 2 - 1] + cts[cts.length / 2]) / 2);
  const cards = await page.$$eval(".card", (cs) => Object.fromEntries(cs.map((x) => [x.querySelector(".k").textContent, x.querySelector(".v").textContent])));
  c.check(cards["Median lap"] === (med === null ? undefined : lapTime(med)), `${name}: median card ${cards["Median lap"]}, expected ${med === null ? "none" : lapTime(med)}`);
  const theo = await text("#theoretical-best");
  c.check(theo[0] === (b.theo === null ? undefined : lapTime(b.theo)), `${name}: theoretical best ${theo[0]}, expected ${b.theo === null ? "none" : lapTime(b.theo)}`);
  await screenshot(page, `ui/session-${name.replace(/\W+/g, "_")}`);
  // Compare two laps that count for bests (a flying lap against a flying lap) when a session
  // has them, else two timed laps.
  const nCounting = want.laps.filter(counts).length;
  if (nCounting >= 2 && (compared === null || !compared.counting)) compared = { name, want, index: i, counting: true };
  else if (compared === null && want.laps.filter((l) => l.time_ms !== null).length >= 2) compared = { name, want, index: i, counting: false };
}

let compareUrl = null;
// 3. From a session to a comparison of two laps: tick the first two timed laps, press compare.
if (c.check(compared !== null, "no session with two timed laps to compare")) {
  await page.goto(`${BASE}#/sessions`);
  await ready("sessions");
  await page.locator("#sessions-table tbody tr a.session-link").nth(compared.index).click();
  await ready("session");
  const two = compared.want.laps.filter(compared.counting ? counts : (l) => l.time_ms !== null).slice(0, 2);
  for (const l of two) await page.locator(`#laps-table tr[data-lap="${l.number}"] input[type=checkbox]`).check();
  await page.click("#compare-selected");
  await ready("compare");
  const times = await text("#compare-laps tbody td.time");
  c.check(
    JSON.stringify(times) === JSON.stringify(two.map((l) => lapTime(l.time_ms))),
    `compare: lap times ${times}, expected ${two.map((l) => lapTime(l.time_ms))}`,
  );
  const secRows = await page.$$eval("#compare-sectors tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td.sector")].map((td) => td.textContent)));
  const wantSec = two.map((l, i) =>
    l.sectors_ms.map((t, k) => {
      const r = two[0].sectors_ms[k];
      return `${sector(t ?? null)}${i === 0 || t === null || r === null ? "" : ` (${signed(t - r)})`}`;
    }),
  );
  c.check(JSON.stringify(secRows) === JSON.stringify(wantSec), `compare: sectors ${JSON.stringify(secRows)}, expected ${JSON.stringify(wantSec)}`);
  for (const id of ["chart-delta", "chart-speed", "chart-throttle", "chart-brake", "chart-gear"]) {
    const paths = await page.$$eval(`#${id} svg path.series`, (ps) => ps.map((p) => (p.getAttribute("d") || "").split(/[LH]/).length));
    c.check(paths.length === 2 && paths.every((n) => n > 50), `compare: #${id} has ${paths.length} paths of ${paths} segments, expected 2 of > 50`);
  }
  // The time delta at the end of the lap is the difference of the lap times (±50 ms).
  const box = await page.locator("#chart-delta svg rect").boundingBox();
  await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
  const readout = (await text("#compare-laps td.readout"))[1] || "";
  const m = /Δ ([+-]\d+\.\d+) s/.exec(readout);
  const want = (two[1].time_ms - two[0].time_ms) / 1000;
  c.check(m && Math.abs(Number(m[1]) - want) <= 0.05, `compare: delta at the line "${readout}", expected about ${want.toFixed(3)} s`);
  await screenshot(page, "ui/compare");
  compareUrl = page.url();
  await page.mouse.move(0, 0);
}

// 4. Progress of the track + car.
const s0 = expected[0];
await page.goto(`${BASE}#/progress?${new URLSearchParams({ sim: s0.sim, track: s0.track, car: s0.car })}`);
await ready("progress");
const pp = await page.$$eval("#progress-chart svg path.series", (ps) => ps.length);
c.check(pp === 2, `progress: ${pp} chart lines, expected 2 (best and median)`);
const dots = await page.$$eval("#progress-chart svg circle", (cs) => cs.length);
const same = expected.filter((s) => s.track === s0.track && s.car === s0.car && s.sim === s0.sim);
c.check(dots === 2 * same.length, `progress: ${dots} points, expected ${2 * same.length}`);
const progBests = (await text("#progress-table tbody tr td:nth-child(2)")).sort();
const wantProg = same.map((s) => lapTime(bests(s).best ? bests(s).best.time_ms : null)).sort();
c.check(JSON.stringify(progBests) === JSON.stringify(wantProg), `progress: bests ${progBests}, expected ${wantProg}`);
await screenshot(page, "ui/progress");
await page.goto(`${BASE}#/progress`);
await ready("progress");
c.check((await page.$$("#combos tbody tr")).length >= 1, "progress: no track + car to pick");
await screenshot(page, "ui/progress-pick");

// 5. A session of 5000 laps whose names carry markup (served by the check itself): the table
// renders within the budget, and the names are shown as text, never run as HTML.
const BIG = 5000;
const evil = '<img src=x onerror="window.__ksanaXss=1">';
const bigLaps = Array.from({ length: BIG }, (_, i) => {
  const t = 88000 + ((i * 7919) % 5000);
  return {
    number: i + 1, time_ms: t, sectors_ms: [30000 + (i % 700), 28000 + (i % 300), t - 58000 - (i % 700) - (i % 300)],
    valid: i % 10 !== 3, out_lap: i === 0, in_lap: false, partial: false, start_s: i * 90, end_s: i * 90 + 90,
    counts_for_best: i % 10 !== 3 && i !== 0, delta_ms: null,
  };
});
const bigBest = bigLaps.filter((l) => l.counts_for_best).reduce((a, b) => (b.time_ms < a.time_ms ? b : a));
await page.route("**/api/v1/sessions/999999", (route) =>
  route.fulfill({
    contentType: "application/json",
    body: JSON.stringify({
      id: 999999, sim: "acc", track: `${evil}ring`, car: "car</td><script>window.__ksanaXss=2</script>", driver: evil,
      session_type: "practice", source: `/tmp/${evil}.ksana`, recorded_at: "2026-01-31T10:00:00Z", created_at: "2026-01-31T10:00:00Z",
      lap_count: BIG, best_lap_ms: bigBest.time_ms, sector_count: 3, recording: null, start_s: 0, end_s: BIG * 90, end_reason: "menu",
      laps: bigLaps, analysis: { best_lap: { lap: bigBest.number, time_ms: bigBest.time_ms }, best_sectors: [null, null, null], theoretical_best_ms: null, counted_laps: BIG - 501 },
    }),
  }),
);
const t0 = Date.now();
await page.goto(`${BASE}#/session/999999`);
await ready("session");
const bigMs = Date.now() - t0;
// It is shown 500 laps at a time, with buttons to page and to jump to the best lap.
const firstLaps = async () => page.$$eval("#laps-table tbody tr", (trs) => [trs.length, trs[0]?.dataset.lap, trs.at(-1)?.dataset.lap]);
const [bigRows, firstLap, lastLap] = await firstLaps();
c.check(bigRows === 500 && firstLap === "1" && lastLap === "500", `big session: rows ${bigRows} (laps ${firstLap}–${lastLap}), expected 500 (1–500)`);
c.check(bigMs < 3000, `big session: ${BIG} laps took ${bigMs} ms to show (budget 3000 ms)`);
await page.click("#lap-page-next");
const [, p2first, p2last] = await firstLaps();
c.check(p2first === "501" && p2last === "1000", `big session: the next page shows laps ${p2first}–${p2last}, expected 501–1000`);
const t501 = await text('#laps-table tr[data-lap="501"] td.time');
c.check(t501[0] === lapTime(bigLaps[500].time_ms), `big session: lap 501 ${t501[0]}, expected ${lapTime(bigLaps[500].time_ms)}`);
await page.click("#goto-best");
const bestRow = await text(`#laps-table tr[data-lap="${bigBest.number}"] td.time.best`);
c.check(bestRow[0] === lapTime(bigBest.time_ms), `big session: best lap (${bigBest.number}) ${bestRow[0]}, expected ${lapTime(bigBest.time_ms)}`);
const injected = await page.evaluate(() => ({
  xss: window.__ksanaXss ?? null,
  imgs: document.querySelectorAll("main img, main script").length,
  title: document.querySelector("main h1")?.textContent ?? "",
}));
c.check(injected.xss === null && injected.imgs === 0, `big session: server text ran as HTML (${JSON.stringify(injected)})`);
c.check(injected.title.includes(evil), `big session: the track name is not shown as text: ${injected.title}`);
// The window only (a full page of 500 rows is a 17000-pixel image), at the best lap.
await page.screenshot({ path: join(shots, "session-5000-laps.png") });
await page.unroute("**/api/v1/sessions/999999");
console.log(`a session of ${BIG} laps rendered in ${bigMs} ms`);

// 6. On a phone: the session page fits the screen's width (its table scrolls inside its box).
await page.setViewportSize({ width: 390, height: 844 });
await page.goto(`${BASE}#/sessions`);
await ready("sessions");
await page.locator("#sessions-table tbody tr a.session-link").first().click();
await ready("session");
const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
c.check(overflow <= 0, `phone: the session page is ${overflow} px wider than the screen`);
await screenshot(page, "ui/session-phone");
if (compareUrl !== null) {
  await page.goto(compareUrl);
  await ready("compare");
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  c.check(over <= 0, `phone: the comparison is ${over} px wider than the screen`);
  await screenshot(page, "ui/compare-phone");
}
await page.setViewportSize({ width: 1280, height: 900 });

// 7. Live: laps stored while the page is open appear without a reload.
await page.goto(`${BASE}#/live`);
await ready("live");
await page.waitForFunction(() => document.querySelector("#live-status")?.textContent === "connected", null, { timeout: 10000 });
const child = spawn(liveCmd[0], liveCmd.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
const code = await new Promise((res) => child.on("close", res));
c.check(code === 0, `live: ${liveCmd.join(" ")} exited with ${code}`);
const wantLive = liveExpected.flatMap((s) => s.laps);
try {
  await page.waitForFunction((n) => document.querySelectorAll("#live-table tbody tr").length >= n, wantLive.length, { timeout: 15000 });
} catch {
  /* counted below */
}
const liveTimes = (await text("#live-table tbody td.time")).reverse();
c.check(
  JSON.stringify(liveTimes) === JSON.stringify(wantLive.map((l) => lapTime(l.time_ms))),
  `live: laps ${liveTimes}, expected ${wantLive.map((l) => lapTime(l.time_ms))}`,
);
await screenshot(page, "ui/live");

c.check(foreign.length === 0, `requests left 127.0.0.1: ${foreign.join(", ")}`);
c.check(requested.length > 0, "no request was intercepted (the route check saw nothing)");
c.check(errors.length === 0, `console errors: ${errors.join(" | ")}`);
await browser.close();
c.finish(`web UI: ${expected.length} sessions, comparison, progress, live; ${requested.length} requests, all to 127.0.0.1; screenshots in ${shots}`);
