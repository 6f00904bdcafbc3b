// dom.js - building the page without HTML strings: every text from an event goes in as a text
// node (textContent), every attribute through setAttribute, every URL through safeUrl. Nothing
// here parses markup, so a path like <img src=x onerror=...> is shown, never run.

const SVG_NS = "http://www.w3.org/2000/svg";

function fill(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "on") {
      for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    } else if (k === "href") {
      const u = safeUrl(v);
      if (u) el.setAttribute("href", u);
    } else {
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// h("a", {href: "#/x", class: "y"}, "text", child, ...)
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

// Links from events (a repository URL, a pipeline URL) only when http(s); in-page routes.
export function safeUrl(u) {
  if (typeof u !== "string") return null;
  if (u.startsWith("#/")) return u;
  try {
    const p = new URL(u);
    return p.protocol === "https:" || p.protocol === "http:" ? p.href : null;
  } catch {
    return null;
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function shortRev(r) {
  if (!r) return "-";
  if (r.startsWith("sha256:")) return "sha256:" + r.slice(7, 19);
  return r.slice(0, 12);
}

export function shortTime(t) {
  if (!t) return "-";
  return t.replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", " UTC");
}

// Enter or Space on a focusable non-button acts as a click (SVG cells, table rows).
export function activatable(el, fn) {
  el.setAttribute("tabindex", "0");
  el.setAttribute("role", "button");
  el.addEventListener("click", fn);
  el.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      fn(e);
    }
  });
  return el;
}
