// Supplier screening: looks up a list of KvK numbers, certificate numbers or
// names in the search index (see search.js, loaded first, and
// src/search.rs) and shows, per line, whether the organisation is in the
// register, its level, status and validity, optionally on a chosen date.
// Everything happens in the browser; nothing is sent anywhere. Every visible
// text comes from the page's data-strings.
(function () {
  "use strict";
  var core = window.tredeSearch;
  var root = document.getElementById("screening");
  if (!root || !core) return;
  var S = core.readStrings(root);
  var fill = core.fill;
  var index = new core.Index(root.getAttribute("data-index"));
  var orgBase = root.getAttribute("data-org-base");
  var MAX = 2000;
  var CANDIDATES = 5;

  var app = root.querySelector(".screening-app");
  var form = root.querySelector(".screening-form");
  var textarea = document.getElementById("screening-input");
  var fileInput = document.getElementById("screening-file");
  var dateInput = document.getElementById("screening-date");
  var liveRegion = document.getElementById("screening-status");
  var section = root.querySelector(".screening-results");
  var heading = document.getElementById("screening-results-title");
  var table = root.querySelector(".screening-table");
  var download = root.querySelector(".screening-download");

  app.hidden = false;
  root.querySelector(".screening-nojs").hidden = true;

  var rows = [];
  var checkedOn = "";

  function shortDate(iso) {
    var p = iso.split("-");
    return p[2] + "-" + p[1] + "-" + p[0];
  }

  // ---- Reading the input. ----

  function parseCsv(text) {
    var first = text.split(/\r?\n/, 1)[0] || "";
    var delimiter = [";", ",", "\t"].reduce(function (best, d) {
      return first.split(d).length > first.split(best).length ? d : best;
    }, ";");
    var result = [];
    var row = [];
    var cell = "";
    var quoted = false;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
        else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"' && cell === "") {
        quoted = true;
      } else if (c === delimiter) {
        row.push(cell); cell = "";
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell); result.push(row); row = []; cell = "";
      } else {
        cell += c;
      }
    }
    if (cell !== "" || row.length) { row.push(cell); result.push(row); }
    return result.map(function (r) { return r.map(function (x) { return x.trim(); }); })
      .filter(function (r) { return r.some(Boolean); });
  }

  // A KvK number in a text: eight digits, possibly written with spaces or dots.
  function kvkIn(text) {
    var match = String(text).match(/(?:^|[^0-9])([0-9]{8})(?![0-9])/) ||
      String(text).match(/(?:^|[^0-9])([0-9]{4}[ .][0-9]{4})(?![0-9])/);
    return match ? match[1].replace(/[ .]/g, "") : "";
  }

  var HEADER = /^(kvk|kvknummer|naam|name|organisatie|organisation|bedrijf|bedrijfsnaam|leverancier|supplier)/;

  // The value to look up from each CSV row: its KvK number, or else its first
  // non-empty cell. A first row without digits that looks like a header is skipped.
  function valuesOfCsv(text) {
    var table = parseCsv(text);
    if (table.length > 1 && !/[0-9]/.test(table[0].join("")) &&
      table[0].some(function (cell) { return HEADER.test(core.tokens(cell).join("")); })) {
      table.shift();
    }
    return table.map(function (cells) {
      for (var i = 0; i < cells.length; i++) {
        var kvk = kvkIn(cells[i]);
        if (kvk && kvk.length === cells[i].replace(/[ .]/g, "").length) return kvk;
      }
      return cells.filter(Boolean)[0] || "";
    }).filter(Boolean);
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      var values = valuesOfCsv(String(reader.result || ""));
      textarea.value = values.join("\n");
      liveRegion.textContent = fill(S.file_loaded, { n: values.length, file: file.name });
    };
    reader.onerror = function () {
      liveRegion.textContent = S.file_error;
    };
    reader.readAsText(file);
  });

  // ---- Looking up. ----

  function jaccard(a, b) {
    var setB = {};
    b.forEach(function (x) { setB[x] = true; });
    var both = 0;
    var union = {};
    a.forEach(function (x) { union[x] = true; if (setB[x]) both++; });
    b.forEach(function (x) { union[x] = true; });
    var size = Object.keys(union).length;
    return size ? both / size : 0;
  }

  // The best match for a name: candidates from the name tokens (at least half
  // of the words found), then the closest by word overlap, if close enough.
  function byName(text) {
    var words = index.queryTokens(text);
    if (!words.length) return Promise.resolve(null);
    return Promise.all(words.map(function (w) { return index.matchToken(w, ["n"]); })).then(function (maps) {
      var hits = new Map();
      maps.forEach(function (map) {
        map.forEach(function (score, n) {
          var h = hits.get(n) || { n: n, words: 0, score: 0 };
          h.words++;
          h.score += score;
          hits.set(n, h);
        });
      });
      var needed = Math.ceil(words.length / 2);
      var list = [];
      hits.forEach(function (h) { if (h.words >= needed) list.push(h); });
      list.sort(function (a, b) { return b.words - a.words || b.score - a.score || a.n - b.n; });
      return index.records(list.slice(0, CANDIDATES).map(function (h) { return h.n; }));
    }).then(function (records) {
      var best = null;
      var bestScore = 0.5;
      (records || []).forEach(function (record) {
        if (!record) return;
        var score = jaccard(words, index.queryTokens(record.name));
        if (score > bestScore || (score === bestScore && !best)) { best = record; bestScore = score; }
      });
      return best;
    });
  }

  function byNumber(text) {
    return index.exact(text).then(function (hits) {
      return hits.length ? index.record(hits[0][0]) : null;
    });
  }

  function lookUp(line) {
    var cells = line.split(/[;\t]/).map(function (c) { return c.trim(); }).filter(Boolean);
    var kvk = kvkIn(line);
    var name = cells[0] || line;
    var first = kvk ? byNumber(kvk) : (/[0-9]/.test(line) ? byNumber(name) : Promise.resolve(null));
    return first.then(function (record) {
      if (record) return { record: record, byName: false };
      return byName(name).then(function (r) { return { record: r, byName: !!r }; });
    });
  }

  function validOn(record, date) {
    var status = index.meta.statuses[record.status].key;
    if (status === "suspended" || status === "withdrawn") return false;
    return record.issued <= date && date <= record.expires;
  }

  // ---- Showing. ----

  function columns() {
    var list = [S.col_input, S.col_org, S.col_kvk, S.col_level, S.col_pso30, S.col_status, S.col_expires];
    if (checkedOn) list.push(fill(S.col_valid_on, { date: shortDate(checkedOn) }));
    return list;
  }

  function cell(tag, text, className) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function render() {
    var headRow = table.tHead.rows[0];
    headRow.textContent = "";
    columns().forEach(function (c) {
      var th = cell("th", c);
      th.scope = "col";
      headRow.appendChild(th);
    });
    var body = table.tBodies[0];
    body.textContent = "";
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var input = cell("th", row.input);
      input.scope = "row";
      tr.appendChild(input);
      var r = row.record;
      if (!r) {
        tr.className = "not-found";
        var missing = cell("td", null, "missing");
        missing.appendChild(cell("strong", S.not_found));
        missing.colSpan = columns().length - 1;
        tr.appendChild(missing);
        body.appendChild(tr);
        return;
      }
      var meta = index.meta;
      var org = cell("td");
      var link = cell("a", r.name);
      link.href = orgBase + r.id + "/";
      org.appendChild(link);
      if (row.byName) org.appendChild(cell("span", S.by_name, "small note"));
      tr.appendChild(org);
      tr.appendChild(cell("td", r.kvk));
      var level = meta.levels[r.level];
      var levelCell = cell("td");
      levelCell.appendChild(cell("span", level.label, "level level-" + level.key));
      tr.appendChild(levelCell);
      tr.appendChild(cell("td", r.pso30 ? S.yes : S.no));
      var status = meta.statuses[r.status];
      var statusCell = cell("td");
      statusCell.appendChild(cell("span", status.label, "status status-" + status.key));
      tr.appendChild(statusCell);
      tr.appendChild(cell("td", shortDate(r.expires)));
      if (checkedOn) {
        var ok = validOn(r, checkedOn);
        tr.appendChild(cell("td", ok ? S.yes : S.no, ok ? "valid-on yes" : "valid-on no"));
      }
      body.appendChild(tr);
    });
    table.caption.textContent = fill(S.caption, { n: rows.length });
    section.hidden = false;
  }

  function run(lines) {
    liveRegion.textContent = S.loading;
    checkedOn = /^\d{4}-\d{2}-\d{2}$/.test(dateInput.value) ? dateInput.value : "";
    index.load().then(function () {
      return Promise.all(lines.map(lookUp));
    }).then(function (found) {
      rows = lines.map(function (line, i) {
        return { input: line, record: found[i].record, byName: found[i].byName };
      });
      render();
      var hits = rows.filter(function (r) { return r.record; }).length;
      var summary = fill(S.summary, { n: rows.length, found: hits, missing: rows.length - hits });
      liveRegion.textContent = summary;
      heading.focus();
    }).catch(function () {
      liveRegion.textContent = S.error;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var lines = textarea.value.split(/\r?\n/).map(function (l) { return l.trim(); }).filter(Boolean);
    if (!lines.length) {
      liveRegion.textContent = S.empty;
      textarea.focus();
      return;
    }
    if (lines.length > MAX) {
      lines = lines.slice(0, MAX);
      window.setTimeout(function () { liveRegion.textContent += " " + fill(S.too_many, { max: MAX }); }, 0);
    }
    run(lines);
  });

  // ---- CSV download. ----

  // A cell safe to open in a spreadsheet: no leading formula character.
  function safe(value) {
    var text = String(value === undefined || value === null ? "" : value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return '"' + text.replace(/"/g, '""') + '"';
  }

  download.addEventListener("click", function () {
    var meta = index.meta;
    var header = columns().concat([S.col_note, S.col_url]);
    var lines = [header.map(safe).join(";")];
    rows.forEach(function (row) {
      var r = row.record;
      var cells;
      if (!r) {
        cells = [row.input, S.not_found, "", "", "", "", ""];
        if (checkedOn) cells.push(S.no);
        cells.push("", "");
      } else {
        cells = [row.input, r.name, r.kvk, meta.levels[r.level].label, r.pso30 ? S.yes : S.no,
          meta.statuses[r.status].label, shortDate(r.expires)];
        if (checkedOn) cells.push(validOn(r, checkedOn) ? S.yes : S.no);
        cells.push(row.byName ? S.by_name : "", new URL(orgBase + r.id + "/", window.location.href).href);
      }
      lines.push(cells.map(safe).join(";"));
    });
    var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = S.file_name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
      a.remove();
    }, 0);
  });
})();
