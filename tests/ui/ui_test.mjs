// ui_test.mjs - the collector's web UI in a real headless Chromium (Debian's /usr/bin/chromium,
// driven over the DevTools protocol by puppeteer-core; no browser is downloaded), against a
// collector holding the demo's data (tests/integration/test_demo.c runs it after `make demo`
// with C2D_DEMO_KEEP=1).
//
//   node tests/ui/ui_test.mjs URL TOKEN_FILE SCREENSHOT_DIR COMMIT_A COMMIT_B
//
// One "ok"/"not ok" line per check; exit 1 if any failed. Screenshots of each view go to
// SCREENSHOT_DIR.
import { readFileSync, mkdirSync } from "node:fs";
import puppeteer from "puppeteer-core";

const [url, tokenFile, shots, commitA, commitB] = process.argv.slice(2);
if (!commitB) {
  console.error("usage: ui_test.mjs URL TOKEN_FILE SCREENSHOT_DIR COMMIT_A COMMIT_B");
  process.exit(2);
}
const token = readFileSync(tokenFile, "utf8").trim();
const base = url.replace(/\/$/, "");
const HOSTILE = '/tmp/<img src=x onerror="window.__pwned=1">';
let failed = 0;

function check(ok, what, detail) {
  console.log(`${ok ? "ok" : "not ok"} - ${what}${ok || detail === undefined ? "" : ": " + detail}`);
  if (!ok) failed++;
}

async function post(events) {
  const res = await fetch(base + "/v1/events", {
    method: "POST",
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/x-ndjson" },
    body: events.map((e) => JSON.stringify(e)).join("\n") + "\n",
  });
  if (res.status >= 300) throw new Error("POST /v1/events: " + res.status + " " + (await res.text()));
}

function finding(seq, workload, path, commit, rule) {
  return {
    schema: "cloud2dev.event/v1", id: `0badc0de0badc0de-${seq.toString(16).padStart(16, "0")}`,
    time: new Date().toISOString(), kind: "credential_read", rule, severity: "high", outcome: "success",
    node: { name: "node-ui" },
    process: { pid: 4000 + seq, uid: 0, comm: "cat", executable: "/bin/busybox", args: ["cat", path] },
    syscall: { name: "openat" }, file: { path },
    container: { id: "ui" + seq, name: workload },
    k8s: { namespace: "shop", pod: workload + "-1", workload: { kind: "Deployment", name: workload } },
    provenance: { commit, repository: "https://github.com/acme/" + workload },
  };
}

async function waitFor(page, fn, what, ...args) {
  try {
    await page.waitForFunction(fn, { timeout: 15000 }, ...args);
    return true;
  } catch {
    check(false, what, "timed out");
    return false;
  }
}

mkdirSync(shots, { recursive: true });
// a finding whose path is markup: it must show as text and run nothing
await post([finding(1, "hostile", HOSTILE, commitB, "etc-shadow")]);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 860 });
  const dialogs = [], urls = [], cspErrors = [];
  page.on("dialog", async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  page.on("request", (r) => urls.push(r.url()));
  page.on("console", (m) => { if (/Content Security Policy/.test(m.text())) cspErrors.push(m.text()); });

  // -- sign-in: a wrong token is refused with a message
  const resp = await page.goto(base + "/", { waitUntil: "networkidle0" });
  const csp = resp.headers()["content-security-policy"] || "";
  check(/script-src 'self'/.test(csp) && !/unsafe/.test(csp), "strict Content-Security-Policy", csp);
  check(page.url() === base + "/ui/", "/ redirects to /ui/", page.url());
  await page.type("#token", "not-the-token");
  await page.click("form.login button[type=submit]");
  if (await waitFor(page, () => document.querySelector("#login-error")?.textContent.length > 0, "login error shown")) {
    const msg = await page.$eval("#login-error", (e) => e.textContent);
    check(/refused this token/.test(msg), "a wrong token shows a login error", msg);
  }
  await page.screenshot({ path: shots + "/login-error.png" });

  // -- the right token: workloads
  await page.$eval("#token", (e) => { e.value = ""; });
  await page.type("#token", token);
  await page.click("form.login button[type=submit]");
  if (await waitFor(page, () => !!document.querySelector("table.workloads"), "workloads table")) {
    const names = await page.$$eval("table.workloads tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
    check(names.includes("shop/checkout"), "workloads list shop/checkout", names.join(","));
  }
  await page.screenshot({ path: shots + "/workloads.png", fullPage: true });
  // search by a commit prefix: the findings of that commit, each with its workload and trace
  await page.type("#q", commitB.slice(0, 8));
  await page.click("form.search button");
  if (await waitFor(page, () => document.querySelectorAll("#search-results table.findings tbody tr").length > 0, "search results")) {
    const wl = await page.$$eval("#search-results table.findings tbody tr td:nth-child(6)", (tds) => tds.map((t) => t.textContent));
    check(wl.length >= 3 && wl.every((w) => w === "shop/checkout" || w === "shop/hostile"),
      "search by commit lists its findings with their workload", wl.join(","));
  }

  // -- the timeline of shop/checkout: both revisions, the token read and the storage write
  //    introduced at the second
  await page.click('table.workloads a[href="#/workload/shop/checkout"]');
  if (await waitFor(page, () => document.querySelectorAll("svg.timeline .rev").length >= 2, "timeline drawn")) {
    const revs = await page.$$eval("svg.timeline .rev", (gs) => gs.map((g) => g.dataset.rev));
    check(revs.length === 2 && revs[0] === commitA && revs[1] === commitB, "both revisions in order", revs.join(","));
    for (const rule of ["k8s-serviceaccount-token", "production-storage"]) {
      const marks = await page.$$eval(`svg.timeline g.lane[data-rule="${rule}"] .mark-introduced`,
        (ms) => ms.map((m) => [m.dataset.rev, m.textContent]));
      check(marks.length === 1 && marks[0][0] === commitB && marks[0][1] === "introduced",
        `${rule} marked introduced at the second revision`, JSON.stringify(marks));
    }
  }
  await page.screenshot({ path: shots + "/timeline.png", fullPage: true });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
  await page.screenshot({ path: shots + "/timeline-dark.png", fullPage: true });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);

  // -- live: a new behaviour appears without a reload
  await page.evaluate(() => { window.__sameDocument = 1; });
  await post([finding(2, "checkout", "/etc/shadow", commitB, "etc-shadow")]);
  if (await waitFor(page, () => !!document.querySelector('svg.timeline g.lane[data-rule="etc-shadow"]'), "live update")) {
    check(await page.evaluate(() => window.__sameDocument === 1), "the timeline refreshed without reloading the page");
  }

  // -- keyboard: focus the token read's introduced cell, Enter lists its findings
  await page.$eval('svg.timeline g.lane[data-rule="k8s-serviceaccount-token"] rect.cell.introduced',
    (el) => el.focus()); // an SVG element: focusable through its tabindex
  check(await page.evaluate(() => document.activeElement?.classList.contains("cell")), "a cell takes the keyboard focus");
  await page.keyboard.press("Enter");
  if (await waitFor(page, () => document.querySelectorAll(".panel table.findings a.trace-link").length > 0, "findings of a cell")) {
    check(true, "Enter on a cell lists its findings");
    await page.click(".panel table.findings a.trace-link");
  }

  // -- trace: the chain, and the commit link followed (answered here: no network)
  if (await waitFor(page, () => !!document.querySelector(".trace a.commit-link"), "trace view")) {
    const text = await page.$eval(".trace", (t) => t.textContent);
    check(text.includes("/var/run/secrets/kubernetes.io/serviceaccount/token") && text.includes("shop"),
      "the trace shows the file and the pod", text.slice(0, 200));
    await page.screenshot({ path: shots + "/trace.png", fullPage: true });
    const href = await page.$eval(".trace a.commit-link", (a) => a.href);
    const want = "https://github.com/acme/checkout/commit/" + commitB;
    check(href === want, "the commit link points at the commit", href);
    await page.setRequestInterception(true);
    let followed = null;
    const onReq = (r) => {
      if (r.url().startsWith("https://github.com/")) {
        followed = r.url();
        r.respond({ status: 200, contentType: "text/html", body: "<title>commit</title>stub" });
      } else r.continue();
    };
    page.on("request", onReq);
    await Promise.all([page.waitForNavigation({ timeout: 15000 }).catch(() => null),
      page.click(".trace a.commit-link")]);
    check(followed === want && page.url() === want, "following the commit link opens the commit", followed);
    page.off("request", onReq);
    await page.setRequestInterception(false);
    await page.goto(base + "/ui/#/workloads", { waitUntil: "networkidle0" });
  }

  // -- a hostile path renders as text and runs no script, in the timeline, the list and the trace
  await page.goto(base + "/ui/#/workload/shop/hostile", { waitUntil: "networkidle0" });
  if (await waitFor(page, () => !!document.querySelector("svg.timeline g.lane"), "hostile timeline")) {
    const label = await page.$eval("svg.timeline g.lane .lane-label", (t) => t.textContent);
    check(label.includes(HOSTILE), "the hostile path is shown as text in the timeline", label);
    await page.click("svg.timeline g.lane rect.cell");
    await waitFor(page, () => !!document.querySelector(".panel table.findings td.target"), "hostile findings");
    const cell = await page.$eval(".panel table.findings td.target", (t) => t.textContent);
    check(cell === HOSTILE, "the hostile path is shown as text in the findings list", cell);
    await page.click(".panel table.findings a.trace-link");
    await waitFor(page, () => !!document.querySelector(".trace"), "hostile trace");
    const trace = await page.$eval(".trace", (t) => t.textContent);
    check(trace.includes(HOSTILE), "the hostile path is shown as text in the trace");
    await page.screenshot({ path: shots + "/hostile.png", fullPage: true });
  }
  const pwned = await page.evaluate(() => window.__pwned);
  const imgs = await page.$$eval("main img", (is) => is.length);
  check(pwned === undefined && imgs === 0 && dialogs.length === 0, "no script ran, no element was made from the path",
    `pwned=${pwned} imgs=${imgs} dialogs=${dialogs.length}`);

  // -- origins
  await page.goto(base + "/ui/#/origins?by=commit", { waitUntil: "networkidle0" });
  if (await waitFor(page, () => document.querySelectorAll("ol.bars li").length > 0, "origins")) {
    const labels = await page.$$eval("ol.bars .bar-label", (ls) => ls.map((l) => l.textContent));
    check(labels.includes(commitB.slice(0, 12)), "origins list the second revision's commit", labels.join(","));
    await page.screenshot({ path: shots + "/origins.png", fullPage: true });
  }

  check(!urls.some((u) => u.includes(token)), "the token never appears in a URL");
  check(cspErrors.length === 0, "no Content-Security-Policy violation", cspErrors.join(" | "));
} finally {
  await browser.close();
}
console.log(failed ? `ui: ${failed} check(s) failed` : "ui: all checks passed");
process.exit(failed ? 1 : 0);
