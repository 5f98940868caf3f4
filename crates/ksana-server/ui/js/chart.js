// Line charts as inline SVG, drawn at the container's pixel width (text stays readable on a
// phone) and redrawn when the window is resized. Series are arrays of x and y (y may be null:
// the line breaks there); a step series draws horizontal-then-vertical (gears).

import { s, clear, h } from "./dom.js";

const live = new Set();
let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const c of [...live]) {
      if (c.box.isConnected) c.redraw();
      else live.delete(c);
    }
  }, 120);
});

/** About `count` round tick values covering min..max (steps of 1, 2, 5 × 10^k). */
export function niceTicks(min, max, count = 5) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((v) => v >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

/** The smallest and largest finite value of the series' ys (null when there is none). */
function yExtent(series) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const se of series) {
    for (const y of se.ys) {
      if (y === null || y === undefined || !Number.isFinite(y)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** The SVG path of one series in pixel space (breaks at null values). */
function pathOf(se, px, py) {
  const parts = [];
  let pen = false;
  for (let i = 0; i < se.xs.length; i++) {
    const y = se.ys[i];
    if (y === null || y === undefined || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    const X = px(se.xs[i]).toFixed(1);
    const Y = py(y).toFixed(1);
    if (!pen) parts.push(`M${X} ${Y}`);
    else if (se.step) parts.push(`H${X}V${Y}`);
    else parts.push(`L${X} ${Y}`);
    pen = true;
  }
  return parts.join("");
}

/**
 * A chart in `box`. opts: title, height (px), xMin, xMax, xTicks ([{value, label}] or a
 * function of (min, max) → values), xFormat, yMin/yMax (default: the data's extent, padded),
 * yFormat, yTicks (count), series [{name, color, xs, ys, step, dots, dash, titles}],
 * onCursor(x | null) for a shared cursor. Returns { redraw, setCursor, box }.
 */
export function lineChart(box, opts) {
  const chart = { box, opts, cursorX: null };
  const height = opts.height || 180;
  const M = { l: 58, r: 12, t: 10, b: 24 };

  chart.redraw = () => {
    clear(box);
    if (opts.title) box.appendChild(h("div.title", null, opts.title));
    const width = Math.max(260, box.clientWidth || 800);
    const ext = yExtent(opts.series);
    let y0 = opts.yMin ?? (ext ? ext[0] : 0);
    let y1 = opts.yMax ?? (ext ? ext[1] : 1);
    if (y1 <= y0) {
      const pad = Math.abs(y0) * 0.01 || 1;
      y0 -= pad;
      y1 += pad;
    } else if (opts.yMin === undefined || opts.yMax === undefined) {
      const pad = (y1 - y0) * 0.06;
      if (opts.yMin === undefined) y0 -= pad;
      if (opts.yMax === undefined) y1 += pad;
    }
    const x0 = opts.xMin;
    const x1 = opts.xMax > opts.xMin ? opts.xMax : opts.xMin + 1;
    const W = width - M.l - M.r;
    const H = height - M.t - M.b;
    const px = (x) => M.l + ((x - x0) / (x1 - x0)) * W;
    const py = (y) => M.t + (1 - (y - y0) / (y1 - y0)) * H;
    chart.px = px;
    chart.xOf = (pixel) => x0 + ((pixel - M.l) / W) * (x1 - x0);
    const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
    if (opts.title) svg.appendChild(s("title", null, opts.title));
    const yf = opts.yFormat || ((v) => String(v));
    for (const v of niceTicks(y0, y1, opts.yTicks || 4)) {
      const Y = py(v).toFixed(1);
      svg.appendChild(s("line", { class: "grid", x1: M.l, x2: M.l + W, y1: Y, y2: Y }));
      svg.appendChild(s("text", { x: M.l - 6, y: +Y + 4, "text-anchor": "end" }, yf(v)));
    }
    const xt =
      typeof opts.xTicks === "function"
        ? opts.xTicks(x0, x1).map((v) => ({ value: v, label: (opts.xFormat || String)(v) }))
        : opts.xTicks || niceTicks(x0, x1, 8).map((v) => ({ value: v, label: (opts.xFormat || String)(v) }));
    for (const t of xt) {
      const X = px(t.value).toFixed(1);
      svg.appendChild(s("line", { class: "grid", x1: X, x2: X, y1: M.t, y2: M.t + H }));
      // Labels at the ends are anchored inwards so that they are not cut off.
      const anchor = +X > width - M.r - 30 ? "end" : +X < M.l + 10 ? "start" : "middle";
      svg.appendChild(s("text", { x: X, y: height - 6, "text-anchor": anchor }, t.label));
    }
    svg.appendChild(s("line", { class: "axis", x1: M.l, x2: M.l, y1: M.t, y2: M.t + H }));
    svg.appendChild(s("line", { class: "axis", x1: M.l, x2: M.l + W, y1: M.t + H, y2: M.t + H }));
    const plot = s("g", { "clip-path": null });
    for (const se of opts.series) {
      const d = pathOf(se, px, py);
      if (d) {
        plot.appendChild(
          s("path", {
            class: "series",
            d,
            style: `stroke:${se.color}`,
            "stroke-dasharray": se.dash || null,
            "data-series": se.name,
          }),
        );
      }
      if (se.dots) {
        for (let i = 0; i < se.xs.length; i++) {
          const y = se.ys[i];
          if (y === null || y === undefined) continue;
          const c = s("circle", { cx: px(se.xs[i]).toFixed(1), cy: py(y).toFixed(1), r: 3.5, style: `fill:${se.color}` });
          if (se.titles && se.titles[i]) c.appendChild(s("title", null, se.titles[i]));
          plot.appendChild(c);
        }
      }
    }
    svg.appendChild(plot);
    chart.cursorLine = s("line", { class: "cursor", x1: -10, x2: -10, y1: M.t, y2: M.t + H, visibility: "hidden" });
    svg.appendChild(chart.cursorLine);
    if (opts.onCursor) {
      const hit = s("rect", { x: M.l, y: M.t, width: W, height: H, fill: "transparent" });
      const move = (ev) => {
        const r = svg.getBoundingClientRect();
        const x = chart.xOf(((ev.clientX - r.left) / r.width) * width);
        opts.onCursor(Math.min(x1, Math.max(x0, x)));
      };
      hit.addEventListener("pointermove", move);
      hit.addEventListener("pointerdown", move);
      hit.addEventListener("pointerleave", () => opts.onCursor(null));
      svg.appendChild(hit);
    }
    box.appendChild(svg);
    chart.setCursor(chart.cursorX);
  };

  chart.setCursor = (x) => {
    chart.cursorX = x;
    if (!chart.cursorLine) return;
    if (x === null || x === undefined) {
      chart.cursorLine.setAttribute("visibility", "hidden");
      return;
    }
    const X = chart.px(x).toFixed(1);
    chart.cursorLine.setAttribute("x1", X);
    chart.cursorLine.setAttribute("x2", X);
    chart.cursorLine.setAttribute("visibility", "visible");
  };

  live.add(chart);
  chart.redraw();
  return chart;
}
