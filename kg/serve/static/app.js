/* migkg page: the SPARQL editor, the named queries, the results table and the network view.
 * Plain browser JavaScript over the server's own endpoints; no build step, no network beyond it. */
"use strict";

(function () {
  const ROW_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const MAX_TABLE_ROWS = 2000;
  const MAX_GET_URL = 6000; // longer queries download through POST
  const PALETTE = ["#2563eb", "#0d9488", "#f59e0b", "#db2777", "#7c3aed", "#16a34a", "#ea580c", "#0891b2", "#9333ea", "#65a30d"];
  const DEFAULT_QUERY = [
    "PREFIX mk: <https://w3id.org/migkg/ont#>",
    "PREFIX dcterms: <http://purl.org/dc/terms/>",
    "",
    "# The news items, newest first",
    "SELECT ?item ?date ?title WHERE {",
    "  ?item a mk:NewsItem ; dcterms:date ?date ; dcterms:title ?title .",
    "}",
    "ORDER BY DESC(?date) ?item",
    "LIMIT 100",
    "",
  ].join("\n");

  const $ = (id) => document.getElementById(id);
  const state = { queries: [], current: null, prefixes: {}, errorLine: null, cy: null, network: null };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // -- the editor --

  const editor = CodeMirror($("editor"), {
    value: DEFAULT_QUERY,
    mode: "application/sparql-query",
    lineNumbers: true,
    matchBrackets: true,
    autoCloseBrackets: true,
    indentUnit: 2,
    tabSize: 2,
    viewportMargin: Infinity,
    extraKeys: { "Ctrl-Enter": () => run(), "Cmd-Enter": () => run() },
  });
  editor.on("change", () => {
    clearErrorLine();
    showMode();
  });

  function clearErrorLine() {
    if (state.errorLine !== null) {
      editor.removeLineClass(state.errorLine, "background", "error-line");
      state.errorLine = null;
    }
  }

  function isNamedRun() {
    return state.current !== null && editor.getValue() === state.current.sparql;
  }

  function showMode() {
    const badge = $("query-mode");
    if (state.current === null) {
      badge.textContent = "ad-hoc query";
      badge.className = "badge";
    } else if (isNamedRun()) {
      badge.textContent = "named query: " + state.current.name;
      badge.className = "badge named";
    } else {
      badge.textContent = "edited: runs as plain SPARQL, parameters unbound";
      badge.className = "badge edited";
    }
    $("params").hidden = state.current === null || !isNamedRun() || state.current.params.length === 0;
    $("reports-switch").hidden = state.current === null || !isNamedRun() || !state.current.reports;
  }

  // -- named queries --

  function renderQueryList() {
    const filter = $("filter").value.trim().toLowerCase();
    const list = $("query-list");
    list.replaceChildren();
    for (const q of state.queries) {
      const text = (q.name + " " + q.title + " " + q.description).toLowerCase();
      if (filter && !text.includes(filter)) continue;
      const button = el(
        "button",
        {
          type: "button",
          class: state.current && state.current.name === q.name ? "active" : "",
          title: q.description,
          "data-query": q.name,
          onclick: () => selectQuery(q, true),
        },
        el("span", { class: "q-title" }, q.title),
        el("span", { class: "q-name" }, q.name + (q.params.length ? "(" + q.params.map((p) => p.name).join(", ") + ")" : "")),
        el("span", { class: "q-desc" }, q.description),
      );
      list.append(el("li", {}, button));
    }
  }

  function selectQuery(q, andRun) {
    state.current = q;
    $("query-title").textContent = q.title;
    $("query-description").textContent = q.description;
    const form = $("params");
    form.replaceChildren();
    for (const p of q.params) {
      const input = el("input", {
        name: p.name,
        value: p.default !== null ? p.default : p.example || "",
        placeholder: p.type,
        title: p.doc + " (" + p.type_help + ")",
        "aria-label": p.name,
        spellcheck: "false",
      });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          run();
        }
      });
      form.append(
        el(
          "label",
          { title: p.doc },
          el("span", {}, el("span", { class: "pname" }, p.name), " ", p.type, p.required ? el("span", { class: "req" }, " *") : null),
          input,
        ),
      );
    }
    editor.setValue(q.sparql);
    showMode();
    renderQueryList();
    if (andRun) run();
  }

  function paramQuery() {
    const search = new URLSearchParams();
    for (const input of $("params").querySelectorAll("input")) {
      if (input.value.trim() !== "") search.append(input.name, input.value.trim());
    }
    return search;
  }

  // -- running --

  function request(format) {
    if (isNamedRun()) {
      const search = paramQuery();
      if (state.current.reports && $("reports").checked) search.set("reports", "1");
      if (format) search.set("format", format);
      const qs = search.toString();
      return { url: "queries/" + encodeURIComponent(state.current.name) + (qs ? "?" + qs : ""), init: { method: "GET" } };
    }
    const text = editor.getValue();
    if (format) {
      return { url: "sparql?" + new URLSearchParams({ query: text, format: format }).toString(), init: { method: "GET" } };
    }
    return {
      url: "sparql",
      init: { method: "POST", headers: { "Content-Type": "application/sparql-query" }, body: text },
    };
  }

  async function run() {
    const button = $("run");
    button.disabled = true;
    setStatus("running…");
    clearErrorLine();
    const { url, init } = request(null);
    init.headers = Object.assign({ Accept: ROW_ACCEPT }, init.headers || {});
    const started = performance.now();
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      showError("The server did not answer: " + error.message);
      button.disabled = false;
      setStatus("");
      $("downloads").replaceChildren();
      return;
    }
    const elapsed = Math.round(performance.now() - started);
    const body = await response.text();
    button.disabled = false;
    if (!response.ok) {
      showError(response.status + " " + response.statusText + ": " + body.trim());
      const line = response.headers.get("X-Migkg-Error-Line");
      if (line) {
        state.errorLine = Number(line) - 1;
        editor.addLineClass(state.errorLine, "background", "error-line");
      }
      setStatus("failed after " + elapsed + " ms");
      $("downloads").replaceChildren();
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    const truncated = response.headers.get("X-Migkg-Truncated") === "true";
    const rows = response.headers.get("X-Migkg-Rows");
    const notice = $("notice");
    notice.hidden = !truncated;
    if (truncated) {
      notice.className = "notice warn";
      notice.textContent =
        "Only the first " + response.headers.get("X-Migkg-Row-Limit") + " rows are shown and downloaded (kg serve --max-rows); add a LIMIT or narrow the query.";
    }
    if (type.includes("json")) {
      const data = JSON.parse(body);
      if ("boolean" in data) {
        $("results").replaceChildren(el("p", { class: "boolean" }, data.boolean ? "true" : "false"));
        setStatus("ASK · " + elapsed + " ms");
      } else {
        const bound = isNamedRun() ? state.current.params.map((p) => p.name) : [];
        renderTable(data.head.vars, data.results.bindings, bound);
        setStatus(data.results.bindings.length + " rows · " + elapsed + " ms");
      }
      renderDownloads(true);
    } else {
      $("results").replaceChildren(el("pre", {}, body));
      setStatus((rows || "?") + " triples · " + elapsed + " ms");
      renderDownloads(false);
    }
  }

  function setStatus(text) {
    $("status").textContent = text;
  }

  function showError(message) {
    const notice = $("notice");
    notice.hidden = false;
    notice.className = "notice error";
    notice.textContent = message;
    $("results").replaceChildren();
  }

  function renderDownloads(forRows) {
    const formats = forRows
      ? [["csv", "CSV"], ["json", "JSON"], ["tsv", "TSV"]]
      : [["turtle", "Turtle"], ["jsonld", "JSON-LD"], ["ntriples", "N-Triples"]];
    const extensions = { csv: "csv", json: "json", tsv: "tsv", turtle: "ttl", jsonld: "jsonld", ntriples: "nt" };
    const base = state.current && isNamedRun() ? state.current.name : "results";
    const links = formats.map(([format, label]) => {
      const { url } = request(format);
      const link = el("a", { href: url, download: base + "." + extensions[format], "data-format": format }, label);
      if (url.length > MAX_GET_URL) link.addEventListener("click", (event) => downloadByPost(event, format, link.download));
      return link;
    });
    $("downloads").replaceChildren(...links);
  }

  async function downloadByPost(event, format, filename) {
    event.preventDefault();
    const response = await fetch("sparql?format=" + format, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query" },
      body: editor.getValue(),
    });
    const blob = await response.blob();
    const link = el("a", { href: URL.createObjectURL(blob), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
  }

  // -- the results table --

  function compact(iri) {
    let best = null;
    for (const [prefix, ns] of Object.entries(state.prefixes)) {
      if (iri.startsWith(ns) && (best === null || ns.length > best[1].length)) best = [prefix, ns];
    }
    if (best) {
      const local = iri.slice(best[1].length);
      if (/^[\w.-]*$/.test(local) && !local.endsWith(".")) return best[0] + ":" + local;
    }
    return "<" + iri + ">";
  }

  function isNumber(term) {
    return term.type === "literal" && /#(integer|decimal|double|float|int|long|gYear)$/.test(term.datatype || "");
  }

  function cell(term) {
    if (!term) return el("td", {});
    if (term.type === "uri") {
      const text = compact(term.value);
      return el(
        "td",
        { class: text.length > 32 ? "long-iri" : "" },
        el("a", { href: "#", class: "iri", title: "Describe " + term.value, onclick: (e) => describe(e, term.value) }, text),
      );
    }
    if (term.type === "bnode") return el("td", { class: "iri" }, "_:" + term.value);
    if (term.type === "triple") return el("td", { class: "iri" }, "<< … >>");
    const extra = term["xml:lang"]
      ? el("span", { class: "lang" }, "@" + term["xml:lang"])
      : term.datatype && !isNumber(term) && !term.datatype.endsWith("#date") && !term.datatype.endsWith("#string")
        ? el("span", { class: "dtype" }, compact(term.datatype))
        : null;
    const kind = isNumber(term)
      ? "num"
      : /#(date|dateTime|gYearMonth)$/.test(term.datatype || "")
        ? "nowrap"
        : term.value.length > 40
          ? "long"
          : "";
    return el("td", { class: kind }, term.value, extra);
  }

  function renderTable(allVars, bindings, bound) {
    if (bindings.length === 0) {
      $("results").replaceChildren(el("p", { class: "empty" }, "No rows."));
      return;
    }
    // A named query's parameters come back as columns, the same in every row: the form above
    // shows them, so the table leaves them out (downloads keep them).
    const vars = allVars.filter((v) => !bound.includes(v));
    const shown = bindings.slice(0, MAX_TABLE_ROWS);
    const head = el("tr", {}, el("th", { class: "rownum" }, "#"), vars.map((v) => el("th", {}, v)));
    const body = shown.map((row, i) => el("tr", {}, el("td", { class: "rownum" }, i + 1), vars.map((v) => cell(row[v]))));
    const parts = [el("table", { id: "results-table" }, el("thead", {}, head), el("tbody", {}, body))];
    if (vars.length < allVars.length) {
      const hidden = allVars.filter((v) => bound.includes(v)).join(", ");
      parts.unshift(el("p", { class: "hint" }, "Parameter columns (" + hidden + ") are left out here; the downloads keep them."));
    }
    if (bindings.length > shown.length) {
      parts.push(el("p", { class: "empty" }, "The table shows " + shown.length + " of " + bindings.length + " rows; download them all."));
    }
    $("results").replaceChildren(...parts);
  }

  function describe(event, iri) {
    event.preventDefault();
    state.current = null;
    $("query-title").textContent = "SPARQL";
    $("query-description").textContent = "Everything the store says about " + iri + ".";
    editor.setValue("DESCRIBE <" + iri + ">\n");
    renderQueryList();
    showMode();
    run();
  }

  // -- the network --

  async function loadNetwork(filters) {
    const qs = filters ? filters.toString() : "";
    const asked = (state.networkAsked = (state.networkAsked || 0) + 1); // only the latest request draws
    delete document.body.dataset.networkNodes; // set again once the new network is drawn
    if (state.cy) {
      state.cy.destroy();
      state.cy = null;
      window.migkg.cy = null;
    }
    let data;
    try {
      const response = await fetch("network/countries" + (qs ? "?" + qs : ""));
      if (!response.ok) throw new Error(await response.text());
      data = await response.json();
    } catch (error) {
      if (asked !== state.networkAsked) return;
      $("network").replaceChildren(el("p", { class: "empty" }, "The network could not be loaded: " + error.message));
      return;
    }
    if (asked !== state.networkAsked) return;
    if (state.cy) state.cy.destroy();
    state.network = data;
    const maxWeight = Math.max(1, ...data.links.map((l) => l.weight));
    const slider = $("min-weight");
    slider.max = String(maxWeight);
    const elements = [];
    for (const n of data.nodes) {
      elements.push({
        group: "nodes",
        data: { id: n.id, label: n.label || n.id, iso3: n.iso3 || "", events: n.event_count || 0, community: n.community || 0, raw: n },
        position: n.x !== undefined ? { x: n.x, y: n.y } : undefined,
      });
    }
    data.links.forEach((l, i) => {
      elements.push({ group: "edges", data: { id: "e" + i, source: l.source, target: l.target, weight: l.weight, raw: l } });
    });
    const hasPositions = data.nodes.every((n) => n.x !== undefined);
    const cy = cytoscape({
      container: $("network"),
      elements: elements,
      minZoom: 0.2,
      maxZoom: 4,
      style: [
        {
          selector: "node",
          style: {
            "background-color": (n) => PALETTE[n.data("community") % PALETTE.length],
            width: (n) => 18 + 9 * Math.sqrt(n.data("events")),
            height: (n) => 18 + 9 * Math.sqrt(n.data("events")),
            label: "data(label)",
            "font-size": 13,
            "font-family": "system-ui, sans-serif",
            color: "#1f2933",
            "text-valign": "bottom",
            "text-margin-y": 3,
            "text-outline-color": "#ffffff",
            "text-outline-width": 2,
            "border-width": 1.5,
            "border-color": "#ffffff",
          },
        },
        {
          selector: "edge",
          style: {
            width: (e) => 1 + 1.6 * e.data("weight"),
            "line-color": "#94a3b8",
            opacity: 0.55,
            "curve-style": "straight",
          },
        },
        { selector: "node:selected", style: { "border-color": "#111827", "border-width": 3 } },
        { selector: "edge.highlight", style: { "line-color": "#2563eb", opacity: 0.9 } },
        { selector: ".faded", style: { opacity: 0.15 } },
      ],
      layout: hasPositions ? { name: "preset", fit: true, padding: 30 } : { name: "cose", animate: false, padding: 30 },
    });
    cy.on("tap", "node", (event) => showNode(event.target));
    // the full name on hover: a drawn label may be short (an acronym, a code)
    cy.on("mouseover", "node", (event) => {
      const raw = event.target.data("raw");
      $("network").title = raw.label + (raw.iso3 ? " (" + raw.iso3 + ")" : "") + " · " + (raw.event_count || 0) + " events";
    });
    cy.on("mouseout", "node", () => {
      $("network").title = "";
    });
    cy.on("tap", (event) => {
      if (event.target === cy) clearSelection();
    });
    state.cy = cy;
    window.migkg.cy = cy;
    document.body.dataset.networkNodes = String(cy.nodes().length);
    renderLegend(data.nodes);
    clearSelection();
    applyMinWeight();
  }

  // One entry per Louvain community, in the colour of its nodes, named by its best connected
  // members; a click highlights the community.
  function renderLegend(nodes) {
    const groups = new Map();
    for (const n of nodes) {
      const c = n.community || 0;
      if (!groups.has(c)) groups.set(c, []);
      groups.get(c).push(n);
    }
    const entries = [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([c, members]) => {
      members.sort((a, b) => (b.event_count || 0) - (a.event_count || 0) || String(a.label).localeCompare(String(b.label)));
      const names = members.map((m) => m.label || m.id);
      const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? " +" + (names.length - 3) : "");
      return el(
        "li",
        { "data-community": c, title: names.join(", "), onclick: () => highlightCommunity(c) },
        el("span", { class: "swatch", style: "background:" + PALETTE[c % PALETTE.length] }),
        el("span", { class: "legend-text" }, el("b", {}, "Community " + c), " · " + members.length + " countries: " + shown),
      );
    });
    $("legend").replaceChildren(el("h3", {}, "Communities"), el("ul", {}, entries));
  }

  function highlightCommunity(community) {
    const cy = state.cy;
    if (!cy) return;
    cy.elements().addClass("faded");
    const members = cy.nodes().filter((n) => n.data("community") === community);
    members.removeClass("faded");
    members.edgesWith(members).removeClass("faded");
  }

  function selectCountry(iso3) {
    if (!state.cy) return;
    const node = state.cy.nodes().filter((n) => n.data("iso3") === iso3);
    if (node.length) showNode(node[0]);
    else clearSelection();
  }

  function clearSelection() {
    const cy = state.cy;
    if (cy) cy.elements().removeClass("faded highlight");
    $("node-info").replaceChildren(el("p", { class: "empty" }, "Click a country."));
  }

  function showNode(node) {
    const cy = state.cy;
    const neighbourhood = node.closedNeighborhood();
    cy.elements().addClass("faded");
    neighbourhood.removeClass("faded");
    cy.edges().removeClass("highlight");
    node.connectedEdges().addClass("highlight");
    const partners = node
      .connectedEdges()
      .map((edge) => ({ other: edge.source().id() === node.id() ? edge.target() : edge.source(), weight: edge.data("weight") }))
      .sort((a, b) => b.weight - a.weight || a.other.data("label").localeCompare(b.other.data("label")));
    const raw = node.data("raw");
    const info = $("node-info");
    const parts = [
      el("h3", {}, node.data("label")),
      el("div", { class: "meta" }, (raw.iso3 ? raw.iso3 + " · " : "") + raw.event_count + " events · " + partners.length + " partners"),
      el("ol", {}, partners.map((p) => el("li", {}, p.other.data("label"), el("span", {}, " · " + p.weight)))),
    ];
    const eventsQuery = state.queries.find((q) => q.name === "events_by_country");
    if (raw.iso3 && eventsQuery) {
      parts.push(
        el(
          "button",
          {
            type: "button",
            class: "ghost",
            onclick: () => window.migkg.chooseCountry(raw.iso3, true),
          },
          "Events of " + node.data("label"),
        ),
      );
    }
    info.replaceChildren(...parts);
  }

  function applyMinWeight() {
    const min = Number($("min-weight").value);
    $("min-weight-value").textContent = String(min);
    if (!state.cy) return;
    state.cy.batch(() => {
      state.cy.edges().forEach((edge) => edge.style("display", edge.data("weight") >= min ? "element" : "none"));
    });
  }

  // -- start --

  async function start() {
    Object.assign(window.migkg, { editor: editor, run: run, selectQuery: selectQuery, loadNetwork: loadNetwork, selectCountry: selectCountry, cy: null });
    $("endpoint-url").textContent = new URL("sparql", window.location.href).href;
    $("run").addEventListener("click", () => run());
    $("new-query").addEventListener("click", () => {
      // nothing of the previous named query stays: its parameters, rows, notes and downloads
      state.current = null;
      $("params").replaceChildren();
      $("results").replaceChildren();
      $("notice").hidden = true;
      $("notice").textContent = "";
      setStatus("");
      $("downloads").replaceChildren();
      $("query-title").textContent = "SPARQL";
      $("query-description").textContent = "Write any SPARQL 1.1 query; the default graph is the union of all graphs.";
      editor.setValue(DEFAULT_QUERY);
      renderQueryList();
      showMode();
      editor.focus();
    });
    $("filter").addEventListener("input", renderQueryList);
    $("min-weight").addEventListener("input", applyMinWeight);
    $("relayout").addEventListener("click", () => state.cy && state.cy.layout({ name: "cose", animate: true, padding: 30 }).run());
    $("fit").addEventListener("click", () => state.cy && state.cy.fit(undefined, 30));

    const [stats, queries] = await Promise.all([
      fetch("stats").then((r) => (r.ok ? r.json() : null)).catch(() => null),
      fetch("queries").then((r) => r.json()),
    ]);
    if (stats) {
      state.prefixes = stats.prefixes || {};
      const parts = [stats.graphs.toLocaleString("en") + " graphs", stats.quads.toLocaleString("en") + " quads"];
      if (stats.taken) parts.push("snapshot " + new Date(stats.taken).toLocaleTimeString());
      $("stats").textContent = parts.join(" · ");
    }
    state.queries = queries;
    window.migkg.queries = queries;
    renderQueryList();
    showMode();
  }

  window.migkg = {};
  window.migkg.ready = start();
})();
