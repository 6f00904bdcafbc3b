// views.js - the pages besides the timeline: sign-in, workloads (with search), one finding's
// trace, findings grouped by origin. Each render function fills `root` and returns nothing;
// errors propagate to app.js, which shows them (or the sign-in page on an AuthError).
import { get, setToken, AuthError } from "./api.js";
import { h, clear, shortRev, shortTime, activatable } from "./dom.js";

const EVENT_ID = /^[0-9a-f]{16}-[0-9a-f]{16}$/;
const KINDS = ["credential_read", "privileged_call", "storage_write", "metadata_access",
  "container_mount", "secret_exposure", "identity_change"];
const SEVERITIES = ["critical", "high", "medium", "low", "info"];

export function renderLogin(root, message, onDone) {
  const input = h("input", { type: "password", id: "token", name: "token", autocomplete: "current-password",
    required: true, "aria-describedby": "login-help" });
  const error = h("p", { id: "login-error", class: "error", role: "alert" }, message || "");
  const form = h("form", { class: "login", novalidate: true },
    h("h1", {}, "Sign in"),
    h("label", { for: "token" }, "Read token"),
    input,
    h("p", { id: "login-help", class: "muted" },
      "A token from the collector's --read-token-file (or --token-file). It stays in this tab " +
      "and is sent only in the Authorization header of this page's requests."),
    h("button", { type: "submit" }, "Sign in"),
    error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const t = input.value.trim();
    if (!t) {
      error.textContent = "Enter a token.";
      return;
    }
    setToken(t);
    try {
      await get("workloads", { limit: 1 });
      onDone();
    } catch (err) {
      setToken(null);
      error.textContent = err instanceof AuthError ? "Sign-in failed: " + err.message + "." : err.message;
      input.focus();
    }
  });
  clear(root).append(form);
  input.focus();
}

function chips(counts, order, cls) {
  return h("span", { class: "chips" },
    order.filter((k) => counts && counts[k]).map((k) =>
      h("span", { class: "chip " + cls + "-" + k, title: k }, k.replace("_", " ") + " " + counts[k])));
}

function workloadLink(ns, name) {
  return h("a", { href: "#/workload/" + encodeURIComponent(ns) + "/" + encodeURIComponent(name) },
    ns + "/" + name);
}

function findingsTable(findings) {
  return h("table", { class: "findings" },
    h("thead", {}, h("tr", {}, ["Time (UTC)", "Kind", "Rule", "Target", "Executable", "Workload", "Commit"]
      .map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, findings.map((f) => h("tr", {},
      h("td", {}, h("a", { href: "#/trace/" + encodeURIComponent(f.id), class: "trace-link" }, shortTime(f.time))),
      h("td", {}, f.kind), h("td", {}, f.rule || "-"),
      h("td", { class: "target" }, f.target || "-"),
      h("td", {}, f.executable || "-"),
      h("td", {}, f.namespace && f.workload && f.workload.name ? workloadLink(f.namespace, f.workload.name) : "-"),
      h("td", { class: "mono" }, shortRev(f.commit))))));
}

// What a search term is: an event id opens its trace; otherwise commit, pipeline or digest.
async function search(term, out) {
  clear(out);
  if (EVENT_ID.test(term)) {
    location.hash = "#/trace/" + term;
    return;
  }
  let params;
  if (/^sha256:[0-9a-f]{64}$/.test(term)) params = { image: term };
  else if (/^\d+$/.test(term)) params = { pipeline: term };
  else if (/^[0-9a-f]{4,64}$/i.test(term)) params = { commit: term.toLowerCase() };
  else {
    out.append(h("p", { class: "error", role: "alert" },
      "Search takes an event id, a commit (4 hex digits or more), a pipeline id or an image digest (sha256:…)."));
    return;
  }
  const res = await get("findings", { ...params, limit: 100 }, { allow404: true });
  const f = (res && res.findings) || [];
  out.append(h("h2", {}, f.length ? `${f.length}${res.next ? "+" : ""} findings` : "No findings"),
    f.length ? findingsTable(f) : "");
}

export async function renderWorkloads(root, params) {
  const ns = params.get("namespace") || "";
  const res = await get("workloads", { namespace: ns, limit: 1000 });
  const all = ns ? await get("workloads", { limit: 1000 }) : res;
  const namespaces = [...new Set(all.workloads.map((w) => w.namespace))].sort();
  const select = h("select", { id: "ns", "aria-label": "Namespace" },
    h("option", { value: "" }, "all namespaces"),
    namespaces.map((n) => h("option", { value: n, selected: n === ns }, n)));
  select.addEventListener("change", () => {
    location.hash = "#/workloads" + (select.value ? "?namespace=" + encodeURIComponent(select.value) : "");
  });
  const term = h("input", { type: "search", id: "q", placeholder: "commit, pipeline, image digest or event id",
    "aria-label": "Search by commit, pipeline, image digest or event id" });
  const results = h("div", { id: "search-results" });
  const form = h("form", { class: "search", role: "search" }, term, h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    search(term.value.trim(), results).catch((err) => results.append(h("p", { class: "error" }, err.message)));
  });
  const rows = res.workloads.map((w) => h("tr", {},
    h("td", {}, workloadLink(w.namespace, w.name)),
    h("td", {}, w.kind || "-"),
    h("td", { class: "num" }, w.findings),
    h("td", {}, chips(w.by_kind, KINDS, "kind")),
    h("td", {}, chips(w.by_severity, SEVERITIES, "sev")),
    h("td", { class: "num" }, w.revisions),
    h("td", {}, shortTime(w.last_seen))));
  clear(root).append(
    h("div", { class: "toolbar" }, h("h1", {}, "Workloads"), select, form),
    results,
    rows.length
      ? h("table", { class: "workloads" },
        h("thead", {}, h("tr", {}, ["Workload", "Kind", "Findings", "By kind", "By severity", "Revisions", "Last activity"]
          .map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows))
      : h("p", { class: "muted" }, "No workload has findings yet."));
}

function dl(pairs) {
  return h("dl", {}, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function ext(url, text, cls) {
  return url ? h("a", { href: url, class: cls, rel: "noopener noreferrer" }, text) : text;
}

function identityDl(i) {
  const flags = ["privileged", "allow_privilege_escalation", "run_as_root", "host_network", "host_pid", "host_ipc"]
    .filter((f) => i[f] === true).join(", ");
  return dl([["Service account", i.service_account],
    ["Cloud identity", (i.cloud || []).map((c) => `${c.provider}: ${c.value}`).join("; ")],
    ["Token automounted", i.automount_token === undefined ? undefined : String(i.automount_token)],
    ["Token audiences", (i.token_audiences || []).join(", ")],
    ["Privileges", flags],
    ["Capabilities added", (i.capabilities_added || []).join(", ")],
    ["Host paths", (i.host_paths || []).join(", ")]]);
}

export async function renderTrace(root, id) {
  const t = await get("trace/" + encodeURIComponent(id), {}, { allow404: true });
  if (!t) {
    clear(root).append(h("h1", {}, "No such finding"), h("p", { class: "muted" }, id));
    return;
  }
  const ev = t.event || {};
  const p = t.process, c = t.container, pod = t.pod, w = t.workload, prov = t.provenance || {};
  const links = t.links || {};
  const what = [
    ["Kind", t.kind], ["Rule", t.rule], ["Severity", t.severity], ["Outcome", t.outcome],
    ["Time", shortTime(t.time)],
    ["Syscall", ev.syscall && ev.syscall.name],
    ["File", ev.file && ev.file.path],
    ["Host path", ev.file && ev.file.host_path],
    ["Network", ev.network && `${ev.network.address}:${ev.network.port}`],
    ["Exposure", ev.exposure && `${ev.exposure.name} (${ev.exposure.detector}, from ${ev.exposure.origin})`],
    ["Fingerprint", ev.exposure && ev.exposure.fingerprint],
    ["Identity change", ev.identity_change && ev.identity_change.summary],
    ["Changed", ev.identity_change && (ev.identity_change.changed || []).join(", ")],
  ];
  const sections = [
    ["Finding", dl(what)],
    p && ["Process", dl([["Executable", p.executable], ["Command", (p.args || []).join(" ")],
      ["PID", p.pid], ["UID", p.uid], ["Comm", p.comm],
      ["Parent", p.parent && `${p.parent.executable || p.parent.comm || "?"} (pid ${p.parent.pid})`]])],
    c && ["Container", dl([["Name", c.name], ["ID", c.id && c.id.slice(0, 12)], ["Runtime", c.runtime],
      ["Image", c.image && c.image.name], ["Image digest", c.image && c.image.digest]])],
    pod && ["Pod", dl([["Namespace", pod.namespace], ["Name", pod.name], ["Service account", pod.service_account],
      ["Node", pod.node]])],
    w && ["Workload", dl([["Kind", w.kind], ["Name", pod && pod.namespace ? workloadLink(pod.namespace, w.name) : w.name]])],
    ev.k8s && ev.k8s.identity && ["Identity", identityDl(ev.k8s.identity)],
    ["Origin", dl([
      ["Commit", prov.commit && ext(links.commit_url, prov.commit, "commit-link")],
      ["Repository", prov.repository && ext(links.repository_url, prov.repository, "repo-link")],
      ["Pipeline", prov.pipeline_id && ext(links.pipeline_url, prov.pipeline_id, "pipeline-link")],
      ["Version", prov.version], ["Built", prov.build_time],
      ["Deploy commit", prov.deploy_commit],
      ["Deployed by", prov.deploy && `${prov.deploy.tool} ${prov.deploy.object || prov.deploy.helm_release || ""}`.trim()],
      ["Deployed at", prov.deploy && prov.deploy.deployed_at && shortTime(prov.deploy.deployed_at)],
      ["Deploy repository", prov.deploy && prov.deploy.repository && ext(prov.deploy.repository, prov.deploy.repository)],
      ["Previous revision", t.previous_revision && shortRev(t.previous_revision.commit || t.previous_revision.revision)],
      ["Changes since", links.compare_url && ext(links.compare_url, "compare", "compare-link")],
    ])],
  ].filter(Boolean);
  clear(root).append(
    h("h1", {}, "Trace ", h("span", { class: "mono" }, t.id)),
    h("div", { class: "trace" }, sections.map(([title, body]) => h("section", {}, h("h2", {}, title), body))));
}

export async function renderOrigins(root, params) {
  const by = params.get("by") || "commit";
  const res = await get("origins", { by, limit: 100 });
  const max = Math.max(1, ...res.origins.map((o) => o.count));
  const tabs = h("div", { class: "tabs", role: "tablist" }, ["commit", "pipeline", "repository"].map((b) =>
    h("a", { href: "#/origins?by=" + b, role: "tab", "aria-selected": String(b === by), class: b === by ? "on" : "" }, "by " + b)));
  const bars = res.origins.map((o) => {
    const label = by === "commit" ? shortRev(o.key) : o.key;
    const url = o.commit_url || o.pipeline_url || (by === "repository" ? o.repository : null);
    return h("li", {},
      h("span", { class: "bar-label" }, ext(url, label)),
      h("span", { class: "bar", "aria-hidden": "true" }, h("span", { class: "fill", "data-w": o.count / max })),
      h("span", { class: "num" }, o.count),
      h("span", { class: "muted" }, (o.workloads || []).join(", ")));
  });
  clear(root).append(h("h1", {}, "Findings by origin"), tabs,
    bars.length ? h("ol", { class: "bars" }, bars) : h("p", { class: "muted" }, "No findings with a known origin."));
  // widths set through the CSSOM (style attributes would need 'unsafe-inline' under the CSP)
  for (const f of root.querySelectorAll(".bar .fill")) f.style.width = (Number(f.dataset.w) * 100).toFixed(1) + "%";
}

export { findingsTable, workloadLink, activatable };
