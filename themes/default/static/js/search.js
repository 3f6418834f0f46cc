// Search over the register and the content pages, on a static host: the
// index under search/ (written by src/search.rs, which documents its format)
// is fetched in small pieces as a query needs them. Progressive enhancement
// only: without this script the search page explains itself and links to the
// browse pages. Every visible text comes from the page's data-strings.
//
// The first part is shared with screening.js through window.tredeSearch.
(function () {
  "use strict";

  // ---- Normalisation: the same as search::normalise and search::tokens. ----

  var EXTRA = { "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i" };

  function normalise(text) {
    return String(text)
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .replace(/[øæœßłđðþı]/g, function (c) { return EXTRA[c]; });
  }

  function tokens(text) {
    return normalise(text).split(/[^a-z0-9]+/).filter(Boolean);
  }

  var SUFFIXES = ["heden", "ingen", "heid", "lijk", "ing", "en", "s", "e"];

  // The same as search::stem: two rounds of stripSuffix.
  function stem(word) {
    return stripSuffix(stripSuffix(word));
  }

  function stripSuffix(word) {
    for (var i = 0; i < SUFFIXES.length; i++) {
      var s = SUFFIXES[i];
      if (word.length >= s.length + 3 && word.slice(-s.length) === s) {
        word = word.slice(0, -s.length);
        if (s === "en" || s === "e") {
          var last = word.slice(-1);
          if (last === "v") word = word.slice(0, -1) + "f";
          else if (last === "z") word = word.slice(0, -1) + "s";
        }
        var n = word.length;
        if (n >= 4 && word[n - 1] === word[n - 2] && "aeiou".indexOf(word[n - 1]) < 0) {
          word = word.slice(0, -1);
        }
        break;
      }
    }
    return word;
  }

  // FNV-1a, 32 bits: the same as search::bucket.
  function bucket(key, bits) {
    var h = 0x811c9dc5;
    for (var i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return bits ? (h & ((1 << bits) - 1)) >>> 0 : 0;
  }

  function startsWith(text, prefix) {
    return text.lastIndexOf(prefix, 0) === 0;
  }

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function readStrings(el) {
    try {
      return JSON.parse(el.getAttribute("data-strings") || "{}");
    } catch (e) {
      return {};
    }
  }

  // ---- The index. ----

  function Index(url) {
    this.url = url;
    this.cache = {};
    this.meta = null;
  }

  // Fetches a file of the index once; `transform` runs once on its JSON.
  // Files other than facets.json carry the build's version in their URL.
  Index.prototype.get = function (path, transform) {
    var self = this;
    if (!this.cache[path]) {
      var versioned = path !== "facets.json";
      var url = this.url + path + (versioned && this.meta ? "?v=" + this.meta.v : "");
      var promise = fetch(url, versioned ? {} : { cache: "no-cache" }).then(function (response) {
        if (response.status === 404) return null;
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      }).then(function (json) {
        return json && transform ? transform(json) : json;
      });
      promise.catch(function () { delete self.cache[path]; });
      this.cache[path] = promise;
    }
    return this.cache[path];
  };

  // Loads facets.json and derives, per organisation number, its level,
  // status, PSO 30+, province and sector.
  Index.prototype.load = function () {
    var self = this;
    if (this.ready) return this.ready;
    this.ready = this.get("facets.json").then(function (meta) {
      if (!meta) throw new Error("facets.json");
      self.meta = meta;
      var n = meta.n;
      self.level = new Uint8Array(n);
      self.status = new Uint8Array(n);
      self.pso = new Uint8Array(n);
      self.province = new Uint16Array(n);
      self.sector = new Uint16Array(n);
      var value = {};
      for (var a = 0; a < meta.alphabet.length; a++) value[meta.alphabet.charCodeAt(a)] = a;
      for (var i = 0; i < n; i++) {
        var code = value[meta.codes.charCodeAt(i)];
        self.level[i] = Math.floor(code / 10);
        self.status[i] = Math.floor(code / 2) % 5;
        self.pso[i] = code % 2;
      }
      self.provinceRanges = meta.provinces.map(function () { return []; });
      self.sectorRanges = meta.sectors.map(function () { return []; });
      meta.groups.forEach(function (g) {
        for (var j = g[2]; j < g[2] + g[3]; j++) {
          self.province[j] = g[0];
          self.sector[j] = g[1];
        }
        self.provinceRanges[g[0]].push([g[2], g[3]]);
        self.sectorRanges[g[1]].push([g[2], g[3]]);
      });
      self.shardSet = {};
      for (var k = 0; k + 1 < meta.shards.length; k += 2) self.shardSet[meta.shards.slice(k, k + 2)] = true;
      self.stop = {};
      meta.stop.forEach(function (w) { self.stop[w] = true; });
      return self;
    });
    this.ready.catch(function () { self.ready = null; });
    return this.ready;
  };

  Index.prototype.indexable = function (token) {
    return token.length >= 2 && !this.stop[token];
  };

  // A token shard with its delta-encoded lists decoded.
  Index.prototype.shard = function (prefix) {
    if (!this.shardSet[prefix]) return Promise.resolve(null);
    return this.get("t/" + prefix + ".json", function (shard) {
      ["n", "c", "k"].forEach(function (field) {
        var map = shard[field];
        if (!map) return;
        Object.keys(map).forEach(function (token) {
          var list = map[token];
          for (var i = 1; i < list.length; i++) list[i] += list[i - 1];
        });
      });
      return shard;
    });
  };

  // The display record of an organisation number.
  Index.prototype.record = function (n) {
    var size = this.meta.chunk;
    var self = this;
    return this.get("o/" + Math.floor(n / size) + ".json").then(function (chunk) {
      var r = chunk && chunk[n % size];
      if (!r) return null;
      return {
        n: n, name: r[0], id: r[1], city: r[2], kvk: r[3], level: r[4], status: r[5],
        pso30: r[6] === 1, issued: r[7], expires: r[8],
        province: self.meta.provinces[self.province[n]].name,
        sector: self.meta.sectors[self.sector[n]].name
      };
    });
  };

  Index.prototype.records = function (numbers) {
    var self = this;
    return Promise.all(numbers.map(function (n) { return self.record(n); }));
  };

  // The same as search::exact_key.
  function exactKey(text) {
    var alnum = tokens(text).join("");
    var digits = alnum.replace(/[^0-9]/g, "");
    return digits.length >= 6 ? digits : alnum;
  }

  // Organisations with exactly this KvK or certificate number: [[n, id]].
  // A query counts as a number when it is mostly digits (six or more), or
  // is one word of at least four characters with a digit in it.
  Index.prototype.exact = function (text) {
    var words = tokens(text);
    var alnum = words.join("");
    var digits = alnum.replace(/[^0-9]/g, "");
    var number = digits.length >= 6 ? digits.length * 2 >= alnum.length
      : words.length === 1 && digits.length > 0 && alnum.length >= 4;
    if (!number) return Promise.resolve([]);
    var key = exactKey(text);
    return this.get("k/" + bucket(key, this.meta.kbits) + ".json").then(function (map) {
      return (map && map[key]) || [];
    });
  };

  var WEIGHT = { n: [4, 3], k: [4, 3], c: [2, 1], facet: [2, 1] };

  // Organisations matching one query token (as a prefix) in name, city, KvK
  // number, province or sector, each with a score: a Map number -> score.
  Index.prototype.matchToken = function (token, fields) {
    var self = this;
    fields = fields || ["n", "c", "k", "facet"];
    return this.shard(token.slice(0, 2)).then(function (shard) {
      var scores = new Map();
      function add(n, score) {
        var previous = scores.get(n);
        if (previous === undefined || previous < score) scores.set(n, score);
      }
      fields.forEach(function (field) {
        if (field === "facet") return;
        var map = shard && shard[field];
        if (!map) return;
        Object.keys(map).forEach(function (key) {
          if (!startsWith(key, token)) return;
          var score = WEIGHT[field][key === token ? 0 : 1];
          map[key].forEach(function (n) { add(n, score); });
        });
      });
      if (fields.indexOf("facet") >= 0) {
        [[self.meta.provinces, self.provinceRanges], [self.meta.sectors, self.sectorRanges]].forEach(function (pair) {
          pair[0].forEach(function (value, i) {
            var best = -1;
            value.tokens.forEach(function (t) {
              if (startsWith(t, token)) best = Math.max(best, t === token ? 0 : 1);
            });
            if (best < 0) return;
            var score = WEIGHT.facet[best];
            pair[1][i].forEach(function (range) {
              for (var n = range[0]; n < range[0] + range[1]; n++) add(n, score);
            });
          });
        });
      }
      return scores;
    });
  };

  // Organisations matching every token: a Map number -> summed score, or
  // null when there are no usable tokens.
  Index.prototype.match = function (words, fields) {
    var self = this;
    if (!words.length) return Promise.resolve(null);
    return Promise.all(words.map(function (w) { return self.matchToken(w, fields); })).then(function (maps) {
      maps.sort(function (a, b) { return a.size - b.size; });
      var result = new Map();
      maps[0].forEach(function (score, n) {
        var total = score;
        for (var i = 1; i < maps.length; i++) {
          var s = maps[i].get(n);
          if (s === undefined) return;
          total += s;
        }
        result.set(n, total);
      });
      return result;
    });
  };

  // The usable query tokens of a text: normalised, no stop words, at least
  // two characters, without duplicates.
  Index.prototype.queryTokens = function (text) {
    var self = this;
    var seen = {};
    return tokens(text).filter(function (t) {
      if (!self.indexable(t) || seen[t]) return false;
      seen[t] = true;
      return true;
    });
  };

  Index.prototype.pages = function () {
    return this.get("pages.json").then(function (json) { return (json && json.pages) || []; });
  };

  window.tredeSearch = {
    normalise: normalise,
    tokens: tokens,
    stem: stem,
    bucket: bucket,
    exactKey: exactKey,
    fill: fill,
    readStrings: readStrings,
    Index: Index
  };

  // ---- The search page. ----

  var root = document.getElementById("search");
  if (!root) return;
  var S = readStrings(root);
  var index = new Index(root.getAttribute("data-index"));
  var orgBase = root.getAttribute("data-org-base");
  var PAGE = 20;

  var app = root.querySelector(".search-app");
  var form = root.querySelector(".search-form");
  var input = document.getElementById("search-q");
  var levelSelect = document.getElementById("search-level");
  var higher = document.getElementById("search-higher");
  var provinceSelect = document.getElementById("search-province");
  var sectorSelect = document.getElementById("search-sector");
  var pso30 = document.getElementById("search-pso30");
  var statusBoxes = Array.prototype.slice.call(form.querySelectorAll("input[name=status]"));
  var liveRegion = document.getElementById("search-status");
  var message = root.querySelector(".search-message");
  var orgSection = root.querySelector(".search-orgs");
  var orgList = orgSection.querySelector(".search-list");
  var orgCount = orgSection.querySelector(".search-count");
  var shownText = orgSection.querySelector(".search-shown");
  var moreButton = orgSection.querySelector(".search-more");
  var pageSection = root.querySelector(".search-pages");
  var pageList = pageSection.querySelector(".search-list");
  var pageCount = pageSection.querySelector(".search-count");

  app.hidden = false;
  root.querySelector(".search-nojs").hidden = true;

  function plural(n, one, many) {
    return n === 1 ? S[one] : fill(S[many], { n: n.toLocaleString("nl-NL") });
  }

  function shortDate(iso) {
    var p = iso.split("-");
    return p[2] + "-" + p[1] + "-" + p[0];
  }

  // ---- State in the URL. ----

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    levelSelect.value = params.get("trede") || "";
    if (levelSelect.selectedIndex < 0) levelSelect.value = "";
    higher.checked = params.get("hoger") === "1";
    provinceSelect.value = params.get("provincie") || "";
    if (provinceSelect.selectedIndex < 0) provinceSelect.value = "";
    sectorSelect.value = params.get("sector") || "";
    if (sectorSelect.selectedIndex < 0) sectorSelect.value = "";
    pso30.checked = params.get("pso30") === "1";
    if (params.has("status")) {
      var chosen = params.getAll("status");
      statusBoxes.forEach(function (box) { box.checked = chosen.indexOf(box.value) >= 0; });
    }
  }

  function statusIsDefault() {
    return statusBoxes.every(function (box) { return box.checked === box.hasAttribute("data-default"); });
  }

  function writeUrl() {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    if (levelSelect.value) params.set("trede", levelSelect.value);
    if (higher.checked) params.set("hoger", "1");
    if (provinceSelect.value) params.set("provincie", provinceSelect.value);
    if (sectorSelect.value) params.set("sector", sectorSelect.value);
    if (!statusIsDefault()) {
      var any = false;
      statusBoxes.forEach(function (box) {
        if (box.checked) { params.append("status", box.value); any = true; }
      });
      if (!any) params.set("status", "");
    }
    if (pso30.checked) params.set("pso30", "1");
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "");
    if (url !== window.location.pathname + window.location.search) {
      window.history.replaceState(null, "", url);
    }
  }

  // ---- Searching. ----

  function position(list, key, value) {
    for (var i = 0; i < list.length; i++) if (list[i][key] === value) return i;
    return -1;
  }

  // Filters the candidates by the facets and counts, for every facet value,
  // the candidates that pass all other facets (so each count says how many
  // results choosing that value would give).
  function filter(candidates) {
    var meta = index.meta;
    var selLevel = position(meta.levels, "key", levelSelect.value);
    var orHigher = higher.checked;
    var selProvince = position(meta.provinces, "slug", provinceSelect.value);
    var selSector = position(meta.sectors, "slug", sectorSelect.value);
    var statusOk = meta.statuses.map(function (s) {
      return statusBoxes.some(function (box) { return box.checked && box.value === s.key; });
    });
    var onlyPso = pso30.checked;
    var counts = {
      level: meta.levels.map(function () { return 0; }),
      status: meta.statuses.map(function () { return 0; }),
      province: meta.provinces.map(function () { return 0; }),
      sector: meta.sectors.map(function () { return 0; }),
      pso30: 0
    };
    var results = [];
    function visit(n) {
      var l = index.level[n], st = index.status[n], p = index.province[n], s = index.sector[n], ps = index.pso[n];
      var fL = selLevel >= 0 && (orHigher ? l < selLevel : l !== selLevel);
      var fP = selProvince >= 0 && p !== selProvince;
      var fS = selSector >= 0 && s !== selSector;
      var fSt = !statusOk[st];
      var fPs = onlyPso && !ps;
      var fails = fL + fP + fS + fSt + fPs;
      if (fails === 0) {
        results.push(n);
        counts.level[l]++; counts.province[p]++; counts.sector[s]++; counts.status[st]++;
        if (ps) counts.pso30++;
      } else if (fails === 1) {
        if (fL) counts.level[l]++;
        else if (fP) counts.province[p]++;
        else if (fS) counts.sector[s]++;
        else if (fSt) counts.status[st]++;
      }
    }
    if (candidates) candidates.forEach(function (score, n) { visit(n); });
    else for (var n = 0; n < meta.n; n++) visit(n);
    return { results: results, counts: counts };
  }

  function searchPages(words) {
    if (!words.length) return Promise.resolve([]);
    var stems = words.map(stem);
    return index.pages().then(function (pages) {
      var found = [];
      pages.forEach(function (page, i) {
        var score = 0;
        var all = stems.every(function (s) {
          if (page.t.some(function (t) { return startsWith(t, s); })) { score += 3; return true; }
          if (page.b.some(function (t) { return startsWith(t, s); })) { score += 1; return true; }
          return false;
        });
        if (all) found.push({ page: page, score: score, i: i });
      });
      found.sort(function (a, b) { return b.score - a.score || a.i - b.i; });
      return found.map(function (f) { return f.page; });
    });
  }

  var sequence = 0;
  var current = null;

  function search(trigger) {
    writeUrl();
    var mine = ++sequence;
    var text = input.value;
    message.hidden = true;
    index.load().then(function () {
      var words = index.queryTokens(text);
      var hasText = tokens(text).length > 0;
      return Promise.all([
        words.length ? index.match(words) : Promise.resolve(null),
        index.exact(text),
        searchPages(words)
      ]).then(function (found) {
        if (mine !== sequence) return;
        var scores = found[0];
        var exact = found[1];
        var filtered = filter(hasText && !words.length ? new Map() : scores);
        var exactNumbers = exact.map(function (e) { return e[0]; });
        var results = filtered.results.filter(function (n) { return exactNumbers.indexOf(n) < 0; });
        if (scores) {
          results.sort(function (a, b) { return scores.get(b) - scores.get(a) || a - b; });
        }
        current = {
          exact: exactNumbers,
          results: exactNumbers.concat(results),
          counts: filtered.counts,
          pages: found[2],
          shown: 0,
          tooShort: hasText && !words.length && !exact.length
        };
        if (exact.length === 1 && (trigger === "load" || trigger === "submit")) {
          return index.record(exact[0][0]).then(function (record) {
            if (mine !== sequence) return;
            var url = orgBase + exact[0][1] + "/";
            message.textContent = fill(S.redirecting, { name: record ? record.name : exact[0][1] });
            message.hidden = false;
            if (trigger === "load") window.location.replace(url);
            else window.location.assign(url);
          });
        }
        updateCounts(filtered.counts);
        return showMore(mine).then(function () {
          renderPages();
          announce();
        });
      });
    }).catch(function () {
      if (mine !== sequence) return;
      message.textContent = S.error;
      message.hidden = false;
      orgSection.hidden = true;
      pageSection.hidden = true;
      liveRegion.textContent = S.error;
    });
  }

  function updateCounts(counts) {
    var meta = index.meta;
    function relabel(select, list, key, values) {
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var i = position(list, key, option.value);
        if (i < 0) return;
        option.textContent = fill(S.with_count, { label: option.getAttribute("data-label"), n: values[i].toLocaleString("nl-NL") });
      });
    }
    relabel(levelSelect, meta.levels, "key", counts.level);
    relabel(provinceSelect, meta.provinces, "slug", counts.province);
    relabel(sectorSelect, meta.sectors, "slug", counts.sector);
    Array.prototype.forEach.call(form.querySelectorAll(".facet-count"), function (el) {
      var value;
      if (el.getAttribute("data-facet") === "pso30") value = counts.pso30;
      else value = counts.status[position(meta.statuses, "key", el.getAttribute("data-value"))] || 0;
      el.textContent = "(" + value.toLocaleString("nl-NL") + ")";
    });
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function renderOrg(record, isExact) {
    var meta = index.meta;
    var li = element("li", "result");
    var title = element("p", "result-title");
    var link = element("a", null, record.name);
    link.href = orgBase + record.id + "/";
    title.appendChild(link);
    li.appendChild(title);
    var facts = element("p", "result-facts");
    var level = meta.levels[record.level];
    facts.appendChild(element("span", "level level-" + level.key, level.label));
    if (record.pso30) {
      facts.appendChild(document.createTextNode(" "));
      facts.appendChild(element("span", "tag", S.pso30plus));
    }
    facts.appendChild(document.createTextNode(" "));
    var status = meta.statuses[record.status];
    facts.appendChild(element("span", "status status-" + status.key, status.label));
    facts.appendChild(document.createTextNode(" · " + fill(S.valid_until, { date: shortDate(record.expires) })));
    li.appendChild(facts);
    li.appendChild(element("p", "result-place small", record.city + ", " + record.province + " · " + record.sector));
    if (isExact) li.insertBefore(element("p", "result-exact small", S.exact), title);
    return li;
  }

  // Shows the next PAGE organisations, loading only their chunks.
  function showMore(mine, focusFirst) {
    var state = current;
    var next = state.results.slice(state.shown, state.shown + PAGE);
    return index.records(next).then(function (records) {
      if (mine !== sequence) return;
      if (state.shown === 0) orgList.textContent = "";
      var first = null;
      records.forEach(function (record) {
        if (!record) return;
        var li = renderOrg(record, state.exact.indexOf(record.n) >= 0);
        orgList.appendChild(li);
        if (!first) first = li.querySelector("a");
      });
      state.shown += next.length;
      var total = state.results.length;
      orgSection.hidden = total === 0;
      orgCount.textContent = "(" + total.toLocaleString("nl-NL") + ")";
      shownText.textContent = fill(S.showing, { shown: state.shown.toLocaleString("nl-NL"), total: total.toLocaleString("nl-NL") });
      shownText.hidden = total <= PAGE;
      moreButton.hidden = state.shown >= total;
      if (total === 0) {
        message.textContent = state.tooShort ? S.too_short : S.no_orgs;
        message.hidden = false;
      }
      if (focusFirst && first) first.focus();
    });
  }

  function renderPages() {
    var pages = current.pages;
    pageList.textContent = "";
    pages.forEach(function (page) {
      var li = element("li", "result");
      var title = element("p", "result-title");
      var link = element("a", null, page.title);
      link.href = page.url;
      title.appendChild(link);
      if (page.section) title.appendChild(element("span", "small", " · " + page.section));
      li.appendChild(title);
      if (page.excerpt) li.appendChild(element("p", "small", page.excerpt));
      pageList.appendChild(li);
    });
    pageCount.textContent = "(" + pages.length + ")";
    pageSection.hidden = pages.length === 0;
  }

  // The live region speaks once typing has paused.
  var announceTimer = null;
  function announce() {
    window.clearTimeout(announceTimer);
    var text = fill(S.announce, {
      orgs: plural(current.results.length, "orgs_one", "orgs_many"),
      pages: plural(current.pages.length, "pages_one", "pages_many")
    });
    announceTimer = window.setTimeout(function () { liveRegion.textContent = text; }, 600);
  }

  var typingTimer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () { search("input"); }, 200);
  });
  form.addEventListener("change", function (event) {
    if (event.target !== input) search("change");
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(typingTimer);
    search("submit");
  });
  moreButton.addEventListener("click", function () {
    showMore(sequence, true);
  });
  window.addEventListener("popstate", function () {
    readUrl();
    search("load");
  });

  readUrl();
  // On a narrow screen the filters start folded, so the results come into
  // view, unless the address sets one.
  var filters = form.querySelector(".search-filters");
  var filtered = levelSelect.value || provinceSelect.value || sectorSelect.value || pso30.checked || !statusIsDefault();
  if (filters && !filtered && window.matchMedia && window.matchMedia("(max-width: 48rem)").matches) filters.open = false;
  search("load");
})();
