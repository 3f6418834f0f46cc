// Measures Pagefind's first query on a bundle written by pagefind-bench, in
// headless Chromium, as bench/search-latency.mjs does for trede's index: the
// bytes a first query transfers (as a static host serves them) and the time
// from the query to its first 20 results' data.
//
// Usage: node first-query.mjs <pagefind-bundle-folder>
//   Needs playwright-core (npm) and Debian's chromium; bench/pagefind/run.sh
//   installs and runs it. The bundle is served under /register/pagefind/;
//   the page is an empty HTML page that imports Pagefind's own pagefind.js
//   (no UI), so the page's HTML and CSS are not counted.
//
// Bytes are counted by the server: Pagefind's .pf_* files are gzipped
// already and go out as they are; everything else is gzipped (level 6), as
// GitHub Pages does.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";

const bundle = process.argv[2];
if (!bundle || !fs.existsSync(path.join(bundle, "pagefind.js"))) {
  console.error("usage: node first-query.mjs <pagefind-bundle-folder>");
  process.exit(2);
}
const base = "/register/pagefind/";
const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".wasm": "application/wasm",
};
const page_html = "<!doctype html><html lang=nl><head><meta charset=utf-8><title>zoeken</title></head><body></body></html>";

let sent = [];
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  let body;
  let file = url.pathname;
  if (url.pathname === "/register/zoeken/") {
    body = Buffer.from(page_html);
    file = "index.html";
  } else if (url.pathname.startsWith(base)) {
    try { body = fs.readFileSync(path.join(bundle, decodeURIComponent(url.pathname.slice(base.length)))); } catch { body = null; }
  }
  if (!body) { res.writeHead(404); res.end(); return; }
  const headers = { "Content-Type": types[path.extname(file)] || "application/octet-stream", "Cache-Control": "max-age=3600" };
  let out = body;
  if (!(body[0] === 0x1f && body[1] === 0x8b)) {
    out = zlib.gzipSync(body, { level: 6 });
    headers["Content-Encoding"] = "gzip";
  }
  headers["Content-Length"] = String(out.length);
  sent.push({ path: url.pathname, bytes: out.length });
  res.writeHead(200, headers);
  res.end(out);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
await page.goto(`${origin}/register/zoeken/`, { waitUntil: "networkidle" });
sent = [];

// Query, then the data of the first 20 results (what a result list shows).
async function query(q) {
  return page.evaluate(async ([q, base]) => {
    const start = performance.now();
    window.pagefind = window.pagefind || await import(base + "pagefind.js");
    const search = await window.pagefind.search(q);
    const data = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
    return { ms: performance.now() - start, results: search.results.length, shown: data.length, first: data[0] && data[0].meta.title };
  }, [q, base]);
}
const summarise = (list) => ({
  bytes_gzip: list.reduce((s, r) => s + r.bytes, 0),
  files: list.length,
  by_kind: Object.entries(list.reduce((acc, r) => {
    const kind = r.path.includes("/fragment/") ? "fragments" : r.path.includes("/index/") ? "index chunks"
      : r.path.includes("/filter/") ? "filter chunks" : path.basename(r.path).replace(/[._][0-9a-f]{8,}/, "");
    acc[kind] = acc[kind] || { files: 0, bytes: 0 };
    acc[kind].files += 1; acc[kind].bytes += r.bytes;
    return acc;
  }, {})).map(([kind, v]) => ({ kind, ...v })),
});

const first = await query("schoonmaak utrecht");
await page.waitForLoadState("networkidle");
const firstSent = sent; sent = [];
// Facet counts, as trede's search page shows them with every query.
const filters = await page.evaluate(async () => {
  const start = performance.now();
  const f = await window.pagefind.filters();
  return { ms: performance.now() - start, groups: Object.keys(f).length };
});
const filtersSent = sent; sent = [];

const warm = [];
for (const q of ["jansen", "groen", "logistiek gelderland", "zorg limburg", "bouw"]) {
  await query(q);
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push((await query(q + (i % 2 ? " " : ""))).ms);
  runs.sort((a, b) => a - b);
  warm.push({ query: q, ms: Math.round(runs[2] * 10) / 10 });
}

await browser.close();
server.close();
console.log(JSON.stringify({
  first_query: { query: "schoonmaak utrecht", ms: Math.round(first.ms), results: first.results, shown: first.shown, first_title: first.first, ...summarise(firstSent) },
  then_filters: { ms: Math.round(filters.ms), groups: filters.groups, ...summarise(filtersSent) },
  warm_queries_median_of_5: warm,
}, null, 2));
