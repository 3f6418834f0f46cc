// Measures the search page of a built site in headless Chromium: the bytes
// a first query transfers (gzip, as a static host serves them) and the time
// from submitting a query to its results on the page.
//
// Usage: node bench/search-latency.mjs <built-site-folder> [base-path]
//   base-path is the path part of the site's base_url (default /register/,
//   what gen-registry writes). Needs playwright-core (npm) and Debian's
//   chromium; bench/run-search.sh installs and runs it.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";

const root = process.argv[2];
const base = process.argv[3] || "/register/";
if (!root || !fs.existsSync(path.join(root, "zoeken", "index.html"))) {
  console.error("usage: node bench/search-latency.mjs <built-site> [base-path]");
  process.exit(2);
}

const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml",
};

// A static host that gzips what it sends, like GitHub Pages.
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (!url.pathname.startsWith(base)) { res.writeHead(404); res.end(); return; }
  let file = path.join(root, decodeURIComponent(url.pathname.slice(base.length)));
  if (file.endsWith(path.sep) || fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  fs.readFile(file, (err, body) => {
    if (err) { res.writeHead(404); res.end(); return; }
    const gz = zlib.gzipSync(body, { level: 6 });
    res.writeHead(200, {
      "Content-Type": types[path.extname(file)] || "application/octet-stream",
      "Content-Encoding": "gzip",
      "Content-Length": String(gz.length),
      "Cache-Control": "max-age=3600",
    });
    res.end(gz);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
const responses = [];
page.on("response", async (response) => {
  const size = Number((await response.allHeaders())["content-length"] || 0);
  responses.push({ url: response.url(), size });
});

// Submits `query` and resolves with the milliseconds until the page has
// rendered its results: the search script writes the result count last,
// after the result list.
async function timeQuery(query) {
  return page.evaluate(async (q) => {
    const input = document.getElementById("search-q");
    const count = document.getElementById("search-orgs-title");
    const before = count.textContent;
    const done = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        observer.disconnect();
        resolve(performance.now());
      });
      observer.observe(count, { subtree: true, childList: true, characterData: true });
    });
    input.value = q;
    const start = performance.now();
    input.form.requestSubmit();
    const end = await Promise.race([done, new Promise((r) => setTimeout(() => r(NaN), 10000))]);
    return { ms: end - start, before };
  }, query);
}

await page.goto(`${origin}${base}zoeken/`, { waitUntil: "networkidle" });
const first = await timeQuery("schoonmaak utrecht");
await page.waitForLoadState("networkidle");
const firstBytes = responses.reduce((sum, r) => sum + r.size, 0);
const firstFiles = responses.length;

const queries = ["jansen", "de ster", "groen", "fryslan", "cafe", "scho", "logistiek gelderland", "recycling", "zorg limburg", "bouw"];
const latencies = [];
for (const query of queries) {
  // Warm once (chunks cached, as for a user typing on), then measure.
  await timeQuery(query);
  await page.waitForLoadState("networkidle");
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push((await timeQuery(query + (i % 2 ? " " : ""))).ms);
  runs.sort((a, b) => a - b);
  latencies.push({ query, median: runs[2] });
}
const cold = [];
for (const query of ["bakker", "van dijk", "noord"]) {
  const t = await timeQuery(query);
  cold.push({ query, ms: t.ms });
  await page.waitForLoadState("networkidle");
}

await browser.close();
server.close();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(JSON.stringify({
  first_query: { query: "schoonmaak utrecht", ms: Math.round(first.ms), bytes_gzip: firstBytes, files: firstFiles },
  warm_median_ms: Math.round(median(latencies.map((l) => l.median)) * 10) / 10,
  warm: latencies.map((l) => ({ query: l.query, ms: Math.round(l.median * 10) / 10 })),
  cold_first_fetch: cold.map((c) => ({ query: c.query, ms: Math.round(c.ms) })),
}, null, 2));
