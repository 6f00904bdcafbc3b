// app.js - the router (#/workloads, #/workload/NS/NAME, #/trace/ID, #/origins), sign-in, and the
// live refresh: the workloads list and the timeline are fetched again every few seconds while
// they are shown, and redrawn only when the answer changed.
import { token, setToken, AuthError } from "./api.js";
import { h, clear } from "./dom.js";
import { renderLogin, renderWorkloads, renderTrace, renderOrigins } from "./views.js";
import { renderTimeline } from "./timeline.js";

const REFRESH_MS = 5000;
const main = document.getElementById("main");
const live = document.getElementById("live");
const signout = document.getElementById("signout");
let timer = null, view = 0, state = null;

function parse() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query] = raw.split("?");
  return { parts: path.split("/").map(decodeURIComponent), params: new URLSearchParams(query || "") };
}

function showError(err) {
  if (err instanceof AuthError) {
    setToken(null);
    signout.hidden = true;
    renderLogin(main, "Sign-in needed: " + err.message + ".", route);
    return;
  }
  clear(main).append(h("p", { class: "error", role: "alert" }, err.message));
}

async function draw(v) {
  const { parts, params } = parse();
  for (const a of document.querySelectorAll("[data-nav]"))
    a.setAttribute("aria-current", a.dataset.nav === (parts[0] || "workloads") ? "page" : "false");
  switch (parts[0]) {
  case "workload":
    state = await renderTimeline(main, parts[1], parts.slice(2).join("/"), state);
    return true;
  case "trace":
    await renderTrace(main, parts.slice(1).join("/"));
    return false;
  case "origins":
    await renderOrigins(main, params);
    return false;
  default:
    await renderWorkloads(main, params);
    return true;
  }
}

async function route() {
  const v = ++view;
  clearInterval(timer);
  state = null;
  if (!token()) {
    signout.hidden = true;
    renderLogin(main, "", route);
    return;
  }
  signout.hidden = false;
  try {
    const refresh = await draw(v);
    if (!refresh || v !== view) return;
    live.textContent = "live";
    timer = setInterval(async () => {
      if (v !== view || document.hidden) return;
      const a = document.activeElement;
      if (a && main.contains(a) && /^(INPUT|SELECT)$/.test(a.tagName)) return; // someone is typing
      if (parse().parts[0] !== "workload" && main.querySelector("#search-results > *")) return; // keep a search shown
      try {
        if (parse().parts[0] === "workload") await draw(v);
        else {
          const y = window.scrollY;
          await draw(v);
          window.scrollTo(0, y);
        }
        live.textContent = "live · updated " + new Date().toLocaleTimeString();
      } catch (err) {
        live.textContent = "";
        if (err instanceof AuthError) showError(err);
      }
    }, REFRESH_MS);
  } catch (err) {
    live.textContent = "";
    showError(err);
  }
}

signout.addEventListener("click", () => {
  setToken(null);
  route();
});
window.addEventListener("hashchange", route);
route();
