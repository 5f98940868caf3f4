// #/sessions?sim=&track=&car=&offset=: the stored sessions, newest first, filtered and paged;
// each row links to its session page.

import { h, append } from "../dom.js";
import * as api from "../api.js";
import { lapTime, dateTime } from "../format.js";

/** Sessions per page. */
export const PAGE = 50;

const FILTERS = ["sim", "track", "car"];

/** The hash of the sessions list with these filters and offset. */
export function href(filter, offset = 0) {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (filter[k]) q.set(k, filter[k]);
  if (offset > 0) q.set("offset", String(offset));
  const t = q.toString();
  return `#/sessions${t ? `?${t}` : ""}`;
}

function unique(values) {
  return [...new Set(values.filter(Boolean))].sort();
}

export async function render(main, { params, signal }) {
  const filter = {};
  for (const k of FILTERS) filter[k] = params.get(k) || "";
  const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);

  const [list, bests] = await Promise.all([
    api.sessions({ ...filter, limit: PAGE, offset }, signal),
    api.bests({}, signal).catch(() => ({ bests: [] })),
  ]);

  append(main, [h("h1", null, "Sessions"), h("p.sub", null, "Every stored session, newest first.")]);

  // Filters: free text with suggestions from the tracks and cars that have bests.
  const inputs = {};
  const form = h("form.filters", {
    onsubmit: (ev) => {
      ev.preventDefault();
      const f = {};
      for (const k of FILTERS) f[k] = inputs[k].value.trim();
      location.hash = href(f, 0);
    },
  });
  const known = { sim: unique(bests.bests.map((b) => b.sim)), track: unique(bests.bests.map((b) => b.track)), car: unique(bests.bests.map((b) => b.car)) };
  for (const k of FILTERS) {
    const listId = `dl-${k}`;
    inputs[k] = h("input", { name: k, value: filter[k], list: listId, placeholder: "any", autocomplete: "off" });
    form.appendChild(h("label", null, k, inputs[k], h("datalist", { id: listId }, known[k].map((v) => h("option", { value: v })))));
  }
  form.appendChild(h("button.primary", { type: "submit" }, "Filter"));
  if (FILTERS.some((k) => filter[k])) form.appendChild(h("a", { href: "#/sessions" }, "clear"));
  if (filter.track && filter.car) {
    form.appendChild(h("a", { href: `#/progress?${new URLSearchParams({ ...(filter.sim ? { sim: filter.sim } : {}), track: filter.track, car: filter.car })}` }, "progress of this track + car →"));
  }
  main.appendChild(form);

  if (list.sessions.length === 0) {
    main.appendChild(h("p.empty", null, offset > 0 ? "No more sessions." : "No sessions stored yet. `ksana dump` or `ksana laps FILE --save` stores some."));
  } else {
    const tbody = h("tbody");
    const frag = document.createDocumentFragment();
    for (const se of list.sessions) {
      const link = `#/session/${encodeURIComponent(se.id)}`;
      frag.appendChild(
        h("tr", { dataset: { session: se.id } },
          h("td", null, h("a.session-link", { href: link }, dateTime(se.recorded_at || se.created_at))),
          h("td", null, se.sim),
          h("td", null, se.track),
          h("td", null, se.car),
          h("td.hide-narrow", null, se.session_type),
          h("td.hide-narrow", null, se.driver),
          h("td.num", null, String(se.lap_count)),
          h("td.num", null, lapTime(se.best_lap_ms)),
        ),
      );
    }
    tbody.appendChild(frag);
    main.appendChild(
      h("div.table-wrap", null,
        h("table#sessions-table", null,
          h("thead", null,
            h("tr", null,
              h("th", null, "Date"), h("th", null, "Sim"), h("th", null, "Track"), h("th", null, "Car"),
              h("th.hide-narrow", null, "Type"), h("th.hide-narrow", null, "Driver"),
              h("th.num", null, "Laps"), h("th.num", null, "Best"),
            ),
          ),
          tbody,
        ),
      ),
    );
  }

  const pager = h("div.pager");
  const prev = h("button", { type: "button", disabled: offset === 0, onclick: () => (location.hash = href(filter, Math.max(0, offset - PAGE))) }, "← newer");
  const next = h("button", { type: "button", disabled: list.sessions.length < PAGE, onclick: () => (location.hash = href(filter, offset + PAGE)) }, "older →");
  const shown = list.sessions.length ? `${offset + 1}–${offset + list.sessions.length}` : "none";
  append(pager, [prev, next, h("span.muted", null, `sessions ${shown}`)]);
  main.appendChild(pager);
}
