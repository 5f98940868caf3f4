// Building DOM nodes without innerHTML: every string from the server goes in as text
// (textContent) or as an attribute value (setAttribute), never as markup.

/**
 * An element: `h("td.num.best", { title: "x" }, "1:28.666")`. Tag with optional `.class`es and
 * `#id`; attrs (`on*` functions become listeners, `class`/`dataset` handled, other values set as
 * attributes); children: nodes, strings (text nodes), arrays, or null/false (skipped).
 */
export function h(spec, attrs, ...children) {
  const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement((m && m[1]) || "div");
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === ".") el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "class") for (const c of String(v).split(/\s+/).filter(Boolean)) el.classList.add(c);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k === "checked" || k === "disabled" || k === "value" || k === "selected") el[k] = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, nested arrays; null/false skipped) to `parent`. */
export function append(parent, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
  return parent;
}

/** Removes every child of `el`. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes (values set with setAttribute). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An error box with a message (text only). */
export function errorBox(message) {
  return h("div.error", { role: "alert" }, message);
}
