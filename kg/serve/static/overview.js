/* migkg page: the map and the timeline, and the filters they share with the network and the table.
 * The outlines come from /map/world (SVG paths, decoded on the server from the vendored Natural
 * Earth TopoJSON), the counts from /counts; nothing else is fetched. */
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const SHADES = ["#dbeafe", "#93c5fd", "#60a5fa", "#2563eb", "#1e3a8a"]; // few to many
  const EMPTY = "#e5e7eb";
  const $ = (id) => document.getElementById(id);
  const view = { world: null, counts: null, country: null, measure: "events", box: null };

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // -- filters: the date range and the measure; every view follows them --

  // YYYY, YYYY-MM or YYYY-MM-DD as the first (or, with end, the last) day of that period
  function asDate(value, end) {
    if (value.length === 4) return value + (end ? "-12-31" : "-01-01");
    if (value.length === 7) {
      const [y, m] = value.split("-").map(Number);
      return value + "-" + (end ? String(new Date(y, m, 0).getDate()).padStart(2, "0") : "01");
    }
    return value;
  }

  function filters() {
    const form = $("view-filters");
    const search = new URLSearchParams();
    for (const name of ["since", "until"]) {
      const value = form.elements[name].value.trim();
      if (value) search.set(name, value);
    }
    return search;
  }

  // body[data-map-ready] says when the map, the timeline and the network show the filters
  async function refresh() {
    const search = filters();
    view.measure = $("view-filters").elements.measure.value;
    busy(1);
    await Promise.all([window.migkg.loadNetwork(search), loadCounts()]);
    if (view.country) listEvents(view.country);
    busy(-1);
  }

  function busy(change) {
    view.busy = (view.busy || 0) + change;
    document.body.dataset.mapReady = view.busy === 0 ? "true" : "false";
  }

  async function loadCounts() {
    const search = filters();
    if (view.country) search.set("country", view.country);
    const asked = (view.asked = (view.asked || 0) + 1); // only the latest request draws
    const response = await fetch("counts?" + search.toString());
    if (asked !== view.asked) return;
    if (!response.ok) {
      $("map-status").textContent = (await response.text()).trim();
      $("map-status").classList.add("error-text");
      return;
    }
    $("map-status").classList.remove("error-text");
    const counts = await response.json();
    if (asked !== view.asked) return;
    view.counts = counts;
    drawMap();
    drawTimeline();
    describe();
  }

  function describe() {
    const c = view.counts;
    const measure = view.measure === "items" ? "news items" : "events";
    const range = c.filters ? " (" + c.filters + ")" : "";
    let text;
    if (view.country) {
      const row = c.countries.find((r) => r.iso3 === view.country);
      const name = row ? row.label : view.country;
      text = name + ": " + c.events + " events in " + c.items + " news items" + range + ". The table below lists them; click it again to clear.";
    } else {
      text = c.countries.length + " countries, " + c.events + " events in " + c.items + " news items" + range + ", shaded by " + measure + ". Click a country to list its events below.";
    }
    $("map-status").textContent = text;
    $("timeline-scope").textContent = view.country ? "· " + view.country : "· all countries";
  }

  // -- the map --

  function shade(value, max) {
    if (!value) return EMPTY;
    const step = Math.min(SHADES.length - 1, Math.floor((Math.sqrt(value) / Math.sqrt(max)) * (SHADES.length - 1) + 0.5));
    return SHADES[step];
  }

  function drawMap() {
    const map = $("map");
    const counts = new Map(view.counts.countries.map((c) => [c.iso3, c]));
    const max = Math.max(1, ...view.counts.countries.map((c) => c[view.measure]));
    const drawn = new Set();
    map.replaceChildren();
    map.append(svg("rect", { class: "sea", x: 0, y: 0, width: view.world.width, height: view.world.height }));
    for (const shape of view.world.countries) {
      const row = shape.iso3 ? counts.get(shape.iso3) : null;
      const value = row ? row[view.measure] : 0;
      const path = svg("path", { d: shape.d, fill: shade(value, max), class: "country" + (value ? " counted" : "") });
      if (shape.iso3) {
        path.dataset.iso3 = shape.iso3;
        drawn.add(shape.iso3);
      }
      if (row) {
        path.dataset.events = row.events;
        path.dataset.items = row.items;
        path.addEventListener("click", () => chooseCountry(shape.iso3 === view.country ? null : shape.iso3, false));
      }
      if (shape.iso3 && shape.iso3 === view.country) path.classList.add("chosen");
      const name = row ? row.label : shape.name;
      path.append(svg("title", {}, name + (row ? ": " + row.events + " events, " + row.items + " news items" : ": no events")));
      map.append(path);
    }
    // counts on the map, at the middle of each counted country's box (largest first, so small
    // neighbours stay on top)
    const labelled = view.world.countries
      .filter((s) => s.iso3 && counts.has(s.iso3))
      .sort((a, b) => (b.box[2] - b.box[0]) * (b.box[3] - b.box[1]) - (a.box[2] - a.box[0]) * (a.box[3] - a.box[1]));
    for (const shape of labelled) {
      const value = counts.get(shape.iso3)[view.measure];
      const [x0, y0, x1, y1] = shape.box;
      const wide = x1 - x0 > view.world.width / 2; // Russia, Fiji: both sides of the antimeridian
      map.append(
        svg("text", { class: "count", x: wide ? x0 + 20 : (x0 + x1) / 2, y: (y0 + y1) / 2, "data-iso3": shape.iso3 }, String(value)),
      );
    }
    fitMap(view.box === "world" ? null : labelled);
    drawScale(max);
    // countries too small for a 1:110m map (Aruba, Curaçao …) get a button instead
    const small = view.counts.countries.filter((c) => !drawn.has(c.iso3));
    const chips = small.map((c) => {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip" + (c.iso3 === view.country ? " chosen" : "");
      chip.dataset.iso3 = c.iso3;
      chip.textContent = c.label + " " + c[view.measure];
      chip.addEventListener("click", () => chooseCountry(c.iso3 === view.country ? null : c.iso3, false));
      return chip;
    });
    $("map-small").replaceChildren(...(chips.length ? [document.createTextNode("Too small to draw at this scale: "), ...chips] : []));
  }

  function fitMap(shapes) {
    const map = $("map");
    if (!shapes || shapes.length === 0) {
      map.setAttribute("viewBox", "0 0 " + view.world.width + " " + view.world.height);
      return;
    }
    // the countries with events, leaving out the largest (Canada, the United States, Russia …)
    // unless there is nothing else: they would shrink the small countries most events are in
    const sized = shapes.filter((s) => s.box[2] - s.box[0] < view.world.width / 2);
    const modest = sized.filter((s) => s.box[2] - s.box[0] < view.world.width * 0.12);
    const boxes = (modest.length ? modest : sized).map((s) => s.box);
    if (boxes.length === 0) return fitMap(null);
    let x0 = Math.min(...boxes.map((b) => b[0])), y0 = Math.min(...boxes.map((b) => b[1]));
    let x1 = Math.max(...boxes.map((b) => b[2])), y1 = Math.max(...boxes.map((b) => b[3]));
    const pad = Math.max(x1 - x0, y1 - y0) * 0.08 + 10;
    x0 -= pad; y0 -= pad; x1 += pad; y1 += pad;
    const frame = map.getBoundingClientRect();
    const aspect = frame.width / Math.max(1, frame.height) || 2;
    const width = Math.max(x1 - x0, (y1 - y0) * aspect), height = width / aspect;
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    map.setAttribute("viewBox", [cx - width / 2, cy - height / 2, width, height].map((v) => v.toFixed(1)).join(" "));
    map.style.setProperty("--label-size", (width / 55).toFixed(1) + "px");
  }

  function drawScale(max) {
    const steps = SHADES.map((colour, i) => {
      const low = Math.max(1, Math.ceil(Math.pow(((i - 0.5) / (SHADES.length - 1)) * Math.sqrt(max), 2)));
      return [colour, low];
    }).filter(([, low], i, all) => i === 0 || low > all[i - 1][1]);
    const parts = [el("span", { class: "swatch", style: "background:" + EMPTY }), " 0 "];
    for (const [colour, low] of steps) parts.push(el("span", { class: "swatch", style: "background:" + colour }), " " + low + (low === max ? "" : "+") + " ");
    $("map-scale").replaceChildren(...parts);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    node.append(...children);
    return node;
  }

  // -- the timeline --

  function drawTimeline() {
    const chart = $("timeline");
    const months = view.counts.months;
    const width = Math.max(chart.clientWidth, 300), height = 120;
    const top = 14, bottom = 22;
    chart.setAttribute("viewBox", "0 0 " + width + " " + height);
    chart.replaceChildren();
    if (months.length === 0) {
      chart.append(svg("text", { x: 8, y: 40, class: "empty" }, "No dated events under these filters."));
      return;
    }
    const max = Math.max(1, ...months.map((m) => m[view.measure]));
    const slot = width / months.length;
    const bar = Math.max(2, Math.min(40, slot * 0.75));
    months.forEach((m, i) => {
      const value = m[view.measure];
      const h = ((height - top - bottom) * value) / max;
      const x = i * slot + (slot - bar) / 2;
      const group = svg("g", { class: "month", "data-month": m.month, "data-events": m.events, "data-items": m.items });
      group.append(svg("rect", { class: "hit", x: i * slot, y: 0, width: slot, height: height }));
      group.append(svg("rect", { class: "bar", x: x, y: height - bottom - h, width: bar, height: Math.max(h, value ? 1 : 0) }));
      if (value && slot >= 14) group.append(svg("text", { class: "value", x: x + bar / 2, y: height - bottom - h - 3 }, String(value)));
      const first = i === 0 || m.month.endsWith("-01");
      if (first || (slot >= 28 && months.length <= 24)) {
        const label = first ? m.month : m.month.slice(5);
        const anchor = i === 0 ? { x: i * slot + 1, style: "text-anchor: start" } : { x: x + bar / 2 };
        group.append(svg("text", Object.assign({ class: "axis", y: height - 6 }, anchor), label));
      }
      group.append(svg("title", {}, m.month + ": " + m.events + " events, " + m.items + " news items · click to keep this month"));
      group.addEventListener("click", () => {
        const form = $("view-filters");
        form.elements.since.value = m.month;
        form.elements.until.value = m.month;
        refresh();
      });
      chart.append(group);
    });
    chart.append(svg("line", { class: "baseline", x1: 0, x2: width, y1: height - bottom, y2: height - bottom }));
  }

  // -- choosing a country: the table lists its events, the timeline its months --

  function listEvents(iso3) {
    const query = (window.migkg.queries || []).find((q) => q.name === "events_by_country");
    if (!query) return;
    window.migkg.selectQuery(query, false);
    const form = $("params");
    form.querySelector("input[name=country]").value = iso3;
    const search = filters();
    const since = search.get("since"), until = search.get("until");
    if (since) form.querySelector("input[name=since]").value = asDate(since, false);
    if (until) form.querySelector("input[name=until]").value = asDate(until, true);
    window.migkg.run();
  }

  async function chooseCountry(iso3, scroll) {
    view.country = iso3;
    busy(1);
    window.migkg.selectCountry(iso3);
    if (iso3) {
      listEvents(iso3);
      if (scroll) document.querySelector(".results-panel").scrollIntoView({ behavior: "smooth" });
    }
    await loadCounts();
    busy(-1);
  }

  // -- start --

  async function start() {
    await window.migkg.ready;
    window.migkg.chooseCountry = chooseCountry;
    const form = $("view-filters");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      refresh();
    });
    for (const name of ["since", "until"]) form.elements[name].addEventListener("change", refresh);
    for (const radio of form.querySelectorAll("input[name=measure]")) {
      radio.addEventListener("change", () => {
        view.measure = form.elements.measure.value;
        drawMap();
        drawTimeline();
        describe();
      });
    }
    $("clear-filters").addEventListener("click", () => {
      form.elements.since.value = "";
      form.elements.until.value = "";
      view.country = null;
      window.migkg.selectCountry(null);
      refresh();
    });
    $("map-fit").addEventListener("click", () => {
      view.box = null;
      drawMap();
    });
    $("map-world").addEventListener("click", () => {
      view.box = "world";
      drawMap();
    });
    const response = await fetch("map/world");
    view.world = await response.json();
    await refresh();
  }

  start();
})();
