// The single page: hash routes (#/sessions, #/session/ID, #/progress?…, #/compare?…, #/live)
// each rendered by one page module into <main>. A page may return a cleanup function (the live
// page closes its stream); a page's fetches are aborted when the route changes.

import { clear, errorBox } from "./dom.js";
import * as sessions from "./pages/sessions.js";
import * as session from "./pages/session.js";
import * as progress from "./pages/progress.js";
import * as compare from "./pages/compare.js";
import * as live from "./pages/live.js";

const pages = { sessions, session, progress, compare, live };

let cleanup = null;
let controller = null;

/** The route of a hash: { name, parts, params }. */
export function parseHash(hash) {
  const raw = (hash || "").replace(/^#\/?/, "");
  const [path, q = ""] = raw.split("?", 2);
  const parts = path.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
  const name = parts[0] || "sessions";
  return { name, parts: parts.slice(1), params: new URLSearchParams(q) };
}

async function render() {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a page's cleanup failing must not stop the next page */
    }
    cleanup = null;
  }
  if (controller) controller.abort();
  controller = new AbortController();
  const route = parseHash(location.hash);
  for (const a of document.querySelectorAll("[data-nav]")) {
    a.classList.toggle("active", a.dataset.nav === route.name || (route.name === "session" && a.dataset.nav === "sessions"));
  }
  const main = clear(document.getElementById("app"));
  const page = pages[route.name];
  if (!page) {
    main.appendChild(errorBox(`No such page: ${route.name}`));
    return;
  }
  const signal = controller.signal;
  document.body.dataset.page = route.name;
  document.body.dataset.ready = "false";
  try {
    const c = await page.render(main, { parts: route.parts, params: route.params, signal });
    if (signal.aborted) {
      if (typeof c === "function") c();
      return;
    }
    cleanup = typeof c === "function" ? c : null;
  } catch (e) {
    if (signal.aborted || (e && e.name === "AbortError")) return;
    main.appendChild(errorBox(e && e.message ? e.message : String(e)));
  }
  // Tests and people alike can tell a page has finished loading.
  document.body.dataset.ready = "true";
}

window.addEventListener("hashchange", render);
if (!location.hash) history.replaceState(null, "", "#/sessions");
render();
