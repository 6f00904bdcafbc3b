// timeline.js - a workload's revisions along a time axis and each behaviour (and exposure, and
// identity change) as a lane: a cell in every revision it ran in, "introduced" where it began
// and "reintroduced" where it came back, with the compare link. From GET /v1/introduced.
import { get } from "./api.js";
import { h, s, clear, shortRev, shortTime, activatable } from "./dom.js";
import { findingsTable } from "./views.js";

const LABEL_W = 360, COL_W = 150, HEAD_H = 92, ROW_H = 34, CELL = 18;

function laneName(b) {
  const what = b.kind === "secret_exposure" ? "secret " + (b.target || "").slice(0, 24) + "…" : b.target || "-";
  return `${b.rule || b.kind}  ${what}`;
}

function revLabel(r) {
  return shortRev(r.commit || r.revision);
}

// The revisions laid out in the order they ran, spaced by time but never closer than a column.
function columns(revs) {
  const xs = [];
  const t = revs.map((r) => Date.parse(r.first_seen) || 0);
  const span = Math.max(1, t[t.length - 1] - t[0]);
  let x = LABEL_W + COL_W / 2;
  for (let i = 0; i < revs.length; i++) {
    if (i) x = Math.max(x + COL_W, LABEL_W + COL_W / 2 + ((t[i] - t[0]) / span) * COL_W * (revs.length - 1));
    xs.push(x);
  }
  return xs;
}

// Findings of one behaviour in one revision, below the timeline.
async function showFindings(panel, wl, b, rev) {
  const params = { workload: wl, rule: b.rule, limit: 100 };
  if (rev && rev.commit) params.commit = rev.commit;
  clear(panel).append(h("p", { class: "muted" }, "Loading…"));
  const res = await get("findings", params, { allow404: true });
  const f = ((res && res.findings) || []).filter((x) => (x.target || null) === (b.target || null) &&
    (x.executable || null) === (b.executable || null) &&
    (!rev || rev.commit || x.image_digest === rev.image_digest));
  clear(panel).append(
    h("h2", {}, `${b.kind} ${b.rule} in ${rev ? revLabel(rev) : "every revision"}`),
    h("p", { class: "target" }, b.target || ""),
    f.length ? findingsTable(f) : h("p", { class: "muted" }, "No findings of it in this revision."));
  panel.focus();
}

function header(svg, revs, xs, onRev) {
  svg.append(s("line", { x1: LABEL_W - 10, x2: xs[xs.length - 1] + COL_W / 2, y1: HEAD_H - 22, y2: HEAD_H - 22, class: "axis" }));
  revs.forEach((r, i) => {
    const g = s("g", { class: "rev", "data-rev": r.revision, "data-index": i,
      "aria-label": `revision ${revLabel(r)}, pipeline ${r.pipeline_id || "unknown"}, first seen ${shortTime(r.first_seen)}` },
    s("text", { x: xs[i], y: 16, class: "rev-commit" }, revLabel(r)),
    s("text", { x: xs[i], y: 32, class: "rev-meta" }, r.pipeline_id ? "pipeline " + r.pipeline_id : ""),
    s("text", { x: xs[i], y: 48, class: "rev-meta" }, r.deploy_commit ? "deploy " + shortRev(r.deploy_commit) : ""),
    s("text", { x: xs[i], y: 62, class: "rev-time" }, shortTime(r.first_seen).slice(5, 16)),
    s("circle", { cx: xs[i], cy: HEAD_H - 22, r: 5, class: "rev-dot" }));
    activatable(g, () => onRev(r));
    svg.append(g);
  });
}

function lane(svg, b, row, xs, revs, onCell) {
  const y = HEAD_H + row * ROW_H;
  const g = s("g", { class: "lane kind-" + b.kind, "data-rule": b.rule || "", "data-target": b.target || "",
    "data-kind": b.kind });
  g.append(s("text", { x: 8, y: y + ROW_H / 2 + 4, class: "lane-label" }, laneName(b)),
    s("line", { x1: LABEL_W - 10, x2: xs[xs.length - 1] + COL_W / 2, y1: y + ROW_H / 2, y2: y + ROW_H / 2, class: "lane-line" }));
  for (const i of b.seen_in || []) {
    const intro = b.introduced_in && revs[i].revision === b.introduced_in.revision;
    const re = b.reintroduced_in && revs[i].revision === b.reintroduced_in.revision;
    const cell = s("rect", { x: xs[i] - CELL / 2, y: y + (ROW_H - CELL) / 2, width: CELL, height: CELL, rx: 3,
      class: "cell" + (intro ? " introduced" : "") + (re ? " reintroduced" : ""), "data-index": i,
      "aria-label": `${b.rule} ${b.target || ""} in revision ${revLabel(revs[i])}${intro ? " (introduced)" : ""}${re ? " (reintroduced)" : ""}` });
    activatable(cell, () => onCell(b, revs[i]));
    g.append(cell);
    if (intro || re)
      g.append(s("text", { x: xs[i] + CELL / 2 + 4, y: y + ROW_H / 2 + 4,
        class: intro ? "mark-introduced" : "mark-reintroduced", "data-rev": revs[i].revision },
      intro ? (i === 0 ? "present" : "introduced") : "reintroduced"));
  }
  svg.append(g);
}

// Identity changes also sit on the axis, at the revision that made them.
function identityMarks(svg, changes, revs, xs) {
  for (const b of changes) {
    const i = revs.findIndex((r) => b.introduced_in && r.revision === b.introduced_in.revision);
    if (i < 0) continue;
    svg.append(s("path", { d: `M${xs[i]} ${HEAD_H - 31} l9 9 l-9 9 l-9 -9 z`, class: "identity-mark",
      "data-rev": revs[i].revision }, s("title", {}, "identity change: " + (b.target || ""))));
  }
}

function details(panel, r) {
  clear(panel).append(h("h2", {}, "Revision " + revLabel(r)),
    h("dl", {}, [["Commit", r.commit], ["Image digest", r.image_digest], ["Pipeline", r.pipeline_id],
      ["Repository", r.repository], ["Deploy commit", r.deploy_commit], ["First seen", shortTime(r.first_seen)],
      ["Last seen", shortTime(r.last_seen)], ["Events", r.events]]
      .filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))])));
  panel.focus();
}

function introducedList(bs, revs) {
  const items = bs.filter((b) => b.introduced_in && b.previous).map((b) => h("li", {},
    h("strong", {}, `${b.kind} ${b.rule}`), " ", h("span", { class: "target" }, b.target || ""),
    ` introduced between ${revLabel(b.previous)} and ${revLabel(b.introduced_in)}`,
    b.compare_url ? [" — ", h("a", { href: b.compare_url, class: "compare-link", rel: "noopener noreferrer" }, "compare")] : "",
    b.reintroduced ? ` (reintroduced in ${revLabel(b.reintroduced_in)})` : ""));
  return items.length ? h("ul", { class: "introduced" }, items) : "";
}

export async function renderTimeline(root, ns, name, state) {
  const wl = ns + "/" + name;
  const res = await get("introduced", { workload: wl, limit: 1000 }, { allow404: true });
  if (!res) {
    clear(root).append(h("h1", {}, wl), h("p", { class: "muted" }, "No events for this workload."));
    return null;
  }
  const text = JSON.stringify(res);
  if (state && state.last === text) return state; // live refresh: nothing new
  const revs = res.revisions, bs = res.behaviours;
  const panel = state && state.panel ? state.panel : h("section", { class: "panel", tabindex: "-1", "aria-live": "polite" });
  const svgWrap = h("div", { class: "timeline-wrap" });
  if (revs.length) {
    const xs = columns(revs);
    const width = xs[xs.length - 1] + COL_W, height = HEAD_H + bs.length * ROW_H + 10;
    const svg = s("svg", { class: "timeline", width, height, viewBox: `0 0 ${width} ${height}`, role: "group",
      "aria-label": `Timeline of ${wl}: ${revs.length} revisions, ${bs.length} behaviours` });
    header(svg, revs, xs, (r) => details(panel, r));
    bs.forEach((b, row) => lane(svg, b, row, xs, revs, (bb, r) => showFindings(panel, wl, bb, r).catch((e) => {
      clear(panel).append(h("p", { class: "error" }, e.message));
    })));
    identityMarks(svg, bs.filter((b) => b.kind === "identity_change"), revs, xs);
    svgWrap.append(svg);
  } else {
    svgWrap.append(h("p", { class: "muted" }, "No revision is known for this workload's events (no commit or image digest)."));
  }
  clear(root).append(
    h("h1", {}, wl, " ", h("span", { class: "muted" }, res.workload.kind || "")),
    h("p", { class: "muted" }, `${revs.length} revisions, ${bs.length} behaviours. Select a cell for its findings, a revision for its details.`),
    svgWrap, introducedList(bs, revs), panel);
  return { last: text, panel };
}
