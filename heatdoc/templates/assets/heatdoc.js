/* heatdoc's default theme: draws the chart of a chart page (light or dark as the page is,
   cell text coloured for contrast, a wide matrix scrolling in its box on a phone), makes its
   CSV and JSON downloads, filters the index's cards, copies a spec's YAML. Everything it needs is in the
   page (no fetch), so the site works opened from disk. Without JavaScript, pages show the
   thumbnail and the data table, and no download or copy button. */
(function () {
  "use strict";

  // Loaded again (a host's instant navigation may run a new page's scripts): the first
  // copy draws the new page's charts, and nothing is set up twice.
  if (window.heatdocDrawCharts) {
    window.heatdocDrawCharts();
    return;
  }
  window.heatdocDrawCharts = drawCharts;

  // Every chart of the page: a chart page's (#heatdoc-chart) and each chart embedded in a
  // page (figure.heatdoc-embed: a report, or a page of MkDocs or Sphinx). Called again after
  // mkdocs-material's instant navigation puts a new page in place: a chart is drawn once.
  function drawCharts() {
    if (!window.Plotly) {
      // a host that adds scripts to a page as it goes (mkdocs-material's instant
      // navigation) may run this one before plotly.js has arrived
      var plotly = document.querySelector("script[src*='plotly']");
      if (plotly) plotly.addEventListener("load", drawCharts, {once: true});
      return;
    }
    drawScript(document.getElementById("heatdoc-chart"), document.getElementById("heatdoc-figure"));
    // each [data-heatdoc-figure] holder (the pages of a diff site show several), whose
    // figure is the JSON in the element of that id
    document.querySelectorAll("[data-heatdoc-figure]").forEach(function (holder) {
      drawScript(holder, document.getElementById(holder.getAttribute("data-heatdoc-figure")));
    });
    document.querySelectorAll("figure.heatdoc-embed").forEach(function (figure) {
      var plot = figure.querySelector(".heatdoc-plot");
      var block = figure.querySelector("template.heatdoc-figure");
      if (plot && block && !plot.classList.contains("is-drawn")) drawChart(plot, block.content.textContent, true);
    });
  }

  function drawScript(holder, data) {
    if (holder && data && !holder.classList.contains("is-drawn")) drawChart(holder, data.textContent);
  }

  // Every chart drawn with plotly's template follows the page's dark mode, and back.
  var drawn = [];

  // ``embedded``: a chart in a page of prose (a report, MkDocs, Sphinx), drawn on the
  // host page's own background; a chart page's chart has a box of its own (--chart-bg).
  function drawChart(holder, json, embedded) {
    var figure = JSON.parse(json);
    var layout = figure.layout || {};
    var own = layout.template;
    // plotly's template ships once, in assets/plotly-template.js, not in every page: light or
    // dark as the page is; the spec's own template stays
    if (!own) layout.template = templateFor(pageIsDark(), embedded);
    fitNarrowScreen(layout, figure.data, holder.clientWidth);
    var fallback = holder.firstElementChild;
    // a bare div: with no height of its own, plotly.js sizes the plot by the layout (450 px by default)
    var plot = document.createElement("div");
    holder.textContent = "";
    holder.appendChild(plot);
    holder.classList.add("is-drawn");
    // typesetMath off: plotly.js would typeset a "$...$" title or label with a TeX library
    // if a page loaded one; text from a spec is shown as written, never typeset or run
    // frames: an animation's (`animation:` in the spec), as px.imshow's animation_frame
    window.Plotly.newPlot(plot, {data: figure.data, layout: layout, frames: figure.frames,
                                 config: {responsive: true, displaylogo: false, typesetMath: false}})
      .then(function () {
        if (!own) drawn.push({plot: plot, dark: pageIsDark(), embedded: embedded});
        var rules = figure.heatdoc && figure.heatdoc.cell_text;
        colourCellText(plot, rules);
        // plotly.js draws the cell text again on every redraw (a resize, a new template, a frame)
        plot.on("plotly_afterplot", function () { colourCellText(plot, rules); });
        plot.on("plotly_animated", function () { colourCellText(plot, rules); });
        holder.setAttribute("data-ready", "true");  // drawn and coloured (tests wait for this)
      }, function (error) {
        holder.classList.remove("is-drawn");
        holder.textContent = "";
        if (fallback) holder.appendChild(fallback);
        if (window.console) console.error("heatdoc: the chart could not be drawn:", error);
      });
  }

  // a copy each time: plotly.js keeps and changes the objects it is handed
  function templateFor(dark, clear) {
    var template = (dark && window.heatdocPlotlyDarkTemplate) || window.heatdocPlotlyTemplate;
    template = template && JSON.parse(JSON.stringify(template));
    if (template && dark && clear && template.layout) template.layout.paper_bgcolor = "rgba(0,0,0,0)";
    return template;
  }

  // Is the page dark? The host theme's own switch when it has one: mkdocs-material's
  // palette (body[data-md-color-scheme], "slate" is its dark scheme), furo's (body[data-theme]
  // dark, light or auto); else the colour the page is painted with, which follows
  // prefers-color-scheme in a theme that has a dark mode (heatdoc's own) and not in one that
  // has none (mkdocs' default theme, alabaster).
  function pageIsDark() {
    var body = document.body;
    var scheme = body.getAttribute("data-md-color-scheme");
    if (scheme === "slate") return true;
    if (scheme === "default") return false;
    var theme = body.getAttribute("data-theme");
    if (theme === "dark" || theme === "light") return theme === "dark";
    if (theme === "auto") return window.matchMedia("(prefers-color-scheme: dark)").matches;
    for (var element = body; element; element = element.parentElement) {
      var rgba = getComputedStyle(element).backgroundColor.match(/[\d.]+/g);
      if (rgba && (rgba.length < 4 || Number(rgba[3]) > 0)) {
        return 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2] < 128;
      }
    }
    return false;
  }

  // Cell text that everyone can read: plotly.js takes one text colour a trace, and picks
  // it by a rule that is not WCAG's. The build worked out, for each trace, the z ranges
  // whose text is white (`rules[i].light_z`, figure.heatdoc.cell_text); all other text is
  // black. Each drawn label carries its cell's z (plotly.js binds it to the element).
  function colourCellText(plot, rules) {
    if (!rules) return;
    plot.querySelectorAll("g.hm").forEach(function (group) {
      var cells = group.__data__, trace = cells && cells[0] && cells[0].trace;
      var rule = trace ? rules[trace.index] : null;
      if (!rule) return;
      group.querySelectorAll("g.heatmap-label text").forEach(function (text) {
        var label = text.__data__ || text.parentNode.__data__;
        if (!label || typeof label.z !== "number") return;
        text.style.fill = inRanges(rule.light_z, label.z) ? rule.light : rule.dark;
      });
    });
  }

  // is z in one of the sorted, disjoint [from, to] ranges?
  function inRanges(ranges, z) {
    var lo = 0, hi = ranges.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (z < ranges[mid][0]) hi = mid - 1;
      else if (z > ranges[mid][1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  function recolour() {
    var dark = pageIsDark();
    drawn = drawn.filter(function (chart) { return chart.plot.isConnected; });
    drawn.forEach(function (chart) {
      if (chart.dark === dark) return;
      chart.dark = dark;
      window.Plotly.relayout(chart.plot, {template: templateFor(dark, chart.embedded)});
    });
  }

  // Watch the switches: the palette toggle, furo's theme button, the system's setting.
  function followDarkMode() {
    if (!window.MutationObserver) return;
    new MutationObserver(function () { recolour(); }).observe(document.body, {
      attributes: true, attributeFilter: ["data-md-color-scheme", "data-theme", "class", "style"]});
    new MutationObserver(function () { recolour(); }).observe(document.documentElement, {
      attributes: true, attributeFilter: ["class", "style", "data-theme"]});
    var query = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
    if (query && query.addEventListener) {
      // the page's colours change with the query; read them once they have
      query.addEventListener("change", function () { requestAnimationFrame(recolour); });
    }
  }

  // On a phone, plotly's default 80 px side margins leave the cells too little room.
  // An axis that draws no tick labels needs no margin; one the spec sets is kept.
  // A matrix too wide for the screen is drawn wider than it, at MIN_TEXT_CELL px a cell
  // when its cells show text, and the chart's own box scrolls sideways (the page does not):
  // plotly.js would otherwise shrink the text to fit, down to dots.
  var NARROW = 600, MIN_TEXT_CELL = 28;
  function fitNarrowScreen(layout, traces, width) {
    if (!width || width >= NARROW) return;
    function bare(axis) { return !!axis && (axis.visible === false || axis.showticklabels === false); }
    var margin = layout.margin = Object.assign({}, layout.margin);
    if (margin.l === undefined) margin.l = bare(layout.yaxis) ? 10 : 50;
    if (margin.r === undefined) margin.r = 10;
    if (margin.b === undefined) margin.b = bare(layout.xaxis) ? 10 : 40;
    var trace = traces && traces[0];
    if (!trace || !trace.texttemplate || layout.width !== undefined) return;
    var shape = matrixShape(trace);
    // the colour bar takes about 100 px beside the plot
    var bar = trace.showscale === false ? 0 : 100;
    var wanted = shape.columns * MIN_TEXT_CELL + margin.l + margin.r + bar;
    if (wanted > width) {
      layout.width = wanted;
      var title = (typeof layout.title === "string" ? layout.title : (layout.title || {}).text) || "";
      var top = margin.t === undefined ? 100 : margin.t;
      if (title && top < 60) margin.t = 60;  // room for the title above the plot
      if (layout.height === undefined) {
        layout.height = Math.max(450, shape.rows * MIN_TEXT_CELL + (margin.t || 100) + margin.b);
      }
    }
  }

  function matrixShape(trace) {
    var z = trace.z;
    if (Array.isArray(z)) return {rows: z.length, columns: Array.isArray(z[0]) ? z[0].length : z.length};
    var shape = String(z && z.shape !== undefined ? z.shape : "1").split(",").map(Number);
    return {rows: shape.length > 1 ? shape[0] : 1, columns: shape.length > 1 ? shape[1] : shape[0]};
  }

  function copyButtons() {
    document.querySelectorAll(".copy-button").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      button.hidden = false;
      function done(label) {
        button.textContent = label;
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }
      function selectAndCopy() {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { done(document.execCommand("copy") ? "Copied" : "Press Ctrl+C"); } catch (e) { done("Press Ctrl+C"); }
      }
      button.addEventListener("click", function () {
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(source.textContent).then(function () { done("Copied"); }, selectAndCopy);
        } else {
          selectAndCopy();
        }
      });
    });
  }

  function counted(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function filterCards() {
    var box = document.getElementById("heatdoc-filters");
    var dataBlock = document.getElementById("heatdoc-index");
    if (!box || !dataBlock) return;
    var cards = JSON.parse(dataBlock.textContent);
    var haystacks = cards.map(function (c) {
      return [c.title, c.section, c.summary].concat(c.tags).join(" ").toLowerCase();
    });
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-card]"));
    var groups = Array.prototype.slice.call(document.querySelectorAll(".group"));
    var buttons = Array.prototype.slice.call(box.querySelectorAll(".tag-button"));
    var known = buttons.map(function (b) { return b.getAttribute("data-tag"); });
    var input = document.getElementById("heatdoc-search");
    var status = document.getElementById("heatdoc-status");
    var tag = "";

    function fromHash() {
      var params = new URLSearchParams(window.location.hash.slice(1));
      var wanted = params.get("tag") || "";
      tag = known.indexOf(wanted) >= 0 ? wanted : "";
      input.value = params.get("q") || "";
    }

    function toHash() {
      var params = new URLSearchParams();
      if (tag) params.set("tag", tag);
      if (input.value) params.set("q", input.value);
      var hash = params.toString();
      try {
        history.replaceState(null, "", hash ? "#" + hash : window.location.pathname + window.location.search);
      } catch (e) { /* some browsers refuse history changes on file:// pages */ }
    }

    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var i = Number(item.getAttribute("data-card"));
        var card = cards[i];
        var match = (!tag || card.tags.indexOf(tag) >= 0) && words.every(function (w) {
          return haystacks[i].indexOf(w) >= 0;
        });
        item.hidden = !match;
        if (match) shown += 1;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-card]:not([hidden])");
      });
      buttons.forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-tag") === tag));
      });
      var reports = cards.filter(function (c) { return c.kind === "report"; }).length;
      var total = counted(cards.length - reports, "chart") + (reports ? " and " + counted(reports, "report") : "");
      status.textContent = shown === cards.length ? total
        : shown === 0 ? "No chart matches (of " + total + ")" : shown + " of " + total;
    }

    box.hidden = false;
    fromHash();
    apply();
    input.addEventListener("input", function () { apply(); toHash(); });
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        var value = b.getAttribute("data-tag");
        tag = value === tag ? "" : value;
        apply();
        toHash();
      });
    });
    window.addEventListener("hashchange", function () { fromHash(); apply(); });
  }

  // --- downloads: made in the browser, from the figure the page carries -----------------
  // The site keeps no CSV or JSON file per chart (creating files is what a build costs
  // most): as with Plotly's "download plot", the page makes them when asked.

  // plotly's template as the page loaded it: read before plotly.js is handed the object
  var templateText = window.heatdocPlotlyTemplate ? JSON.stringify(window.heatdocPlotlyTemplate) : null;
  var FORMULA_START = "=+-@\t\r";
  var PLAIN_NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  // plotly.js's typed-array dtypes and their long names (little-endian, as plotly.js reads them)
  var TYPED_ARRAYS = {i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray, i2: Int16Array, u2: Uint16Array,
                      i4: Int32Array, u4: Uint32Array, f4: Float32Array, f8: Float64Array};
  ["int8 i1", "uint8 u1", "uint8c u1c", "int16 i2", "uint16 u2", "int32 i4", "uint32 u4", "float32 f4",
   "float64 f8"].forEach(function (pair) { pair = pair.split(" "); TYPED_ARRAYS[pair[0]] = TYPED_ARRAYS[pair[1]]; });
  // A big matrix's CSV is made in slices this long, with a pause for the page between:
  // a 2000 × 2000 matrix takes seconds, and the page must not freeze meanwhile.
  var SLICE_MS = 40;
  var BASE64_SLICE = 1 << 20;  // base64 characters decoded at a time (a multiple of 4)
  var ROWS_A_BLOB = 64;  // CSV rows encoded at a time, not all at the end

  function downloads() {
    var block = document.getElementById("heatdoc-figure");
    if (!block || !window.Blob || !window.URL || !URL.createObjectURL || !window.Promise) return;
    var makers = {csv: matrixCsv, json: figureJson};
    document.querySelectorAll("button[data-download]").forEach(function (button) {
      var make = makers[button.getAttribute("data-download")];
      var name = button.getAttribute("data-file");
      if (!make || !name) return;
      // hidden in the HTML, the button or the sentence around it: no dead button without JavaScript
      var offer = button.closest(".download-offer");
      if (offer) offer.hidden = false;
      button.hidden = false;
      button.addEventListener("click", function () {
        if (button.getAttribute("aria-busy") === "true") return;  // one at a time
        button.setAttribute("aria-busy", "true");
        // parsed again each time: plotly.js changes the objects it draws
        Promise.resolve().then(function () { return make(JSON.parse(block.textContent)); })
          .then(function (blob) { save(blob, name); }, function (error) {
            if (window.console) console.error("heatdoc: the download could not be made:", error);
          })
          .then(function () { button.removeAttribute("aria-busy"); });
      });
    });
  }

  function save(blob, name) {
    var link = document.createElement("a");
    var address = URL.createObjectURL(blob);
    link.href = address;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    // later, not at once: the browser may still be reading the blob
    setTimeout(function () { URL.revokeObjectURL(address); }, 60000);
  }

  // The figure as `heatdoc figure SPEC` prints it: the page leaves plotly's template out
  // (assets/plotly-template.js serves every page), the download puts it back.
  function figureJson(figure) {
    var layout = figure.layout = figure.layout || {};
    if (!("template" in layout)) {
      if (!templateText) throw new Error("plotly's template (assets/plotly-template.js) is not loaded");
      layout.template = JSON.parse(templateText);
    }
    return new Blob([JSON.stringify(figure, null, 2) + "\n"], {type: "application/json"});
  }

  // z with its labels: the header row holds the x labels, the first column the y labels,
  // the rows in the order of the data (of y); a gap is an empty field. A number is written
  // as JavaScript writes it: the shortest text that reads back as the same number.
  function matrixCsv(figure) {
    var trace = figure.data[0];
    return matrixOf(trace.z).then(function (z) {
      var x = labelsOf(trace.x, z.columns), y = labelsOf(trace.y, z.rows);
      var pieces = [x.map(function (label) { return "," + csvText(label); }).join("") + "\n"];
      var lines = [], i = 0;
      return inSlices(function () {
        if (i < z.rows) {
          var row = z.row(i);
          var fields = new Array(z.columns + 1);
          fields[0] = csvText(y[i]);
          for (var j = 0; j < z.columns; j++) fields[j + 1] = csvValue(row[j]);
          lines.push(fields.join(",") + "\n");
          i += 1;
        }
        if (lines.length === ROWS_A_BLOB || i === z.rows) {
          pieces.push(new Blob(lines));
          lines = [];
        }
        return i === z.rows;
      }).then(function () { return new Blob(pieces, {type: "text/csv;charset=utf-8"}); });
    });
  }

  // Call step() until it returns true, in slices of SLICE_MS.
  function inSlices(step) {
    return new Promise(function (resolve, reject) {
      (function slice() {
        try {
          var until = Date.now() + SLICE_MS;
          do {
            if (step()) return resolve();
          } while (Date.now() < until);
          setTimeout(slice, 0);
        } catch (error) {
          reject(error);
        }
      })();
    });
  }

  // z as {rows, columns, row(i)}, from a list of rows or a typed array {dtype, bdata, shape}
  function matrixOf(z) {
    if (Array.isArray(z)) {
      var columns = 0;
      z.forEach(function (r) { columns = Math.max(columns, Array.isArray(r) ? r.length : 1); });
      return Promise.resolve({rows: z.length, columns: columns,
                              row: function (i) { return Array.isArray(z[i]) ? z[i] : [z[i]]; }});
    }
    var Type = TYPED_ARRAYS[z.dtype];
    if (!Type) throw new Error("z is a typed array of an unknown dtype: " + z.dtype);
    return bytesOf(z.bdata).then(function (bytes) {
      var values = new Type(bytes.buffer, 0, Math.floor(bytes.length / Type.BYTES_PER_ELEMENT));
      var shape = String(z.shape === undefined ? values.length : z.shape).split(",").map(Number);
      var width = shape.length > 1 ? shape[1] : shape[0];
      return {rows: shape.length > 1 ? shape[0] : 1, columns: width,
              row: function (i) { return values.subarray(i * width, (i + 1) * width); }};
    });
  }

  function bytesOf(base64) {
    base64 = /\s/.test(base64) ? base64.replace(/\s+/g, "") : base64;
    while (base64.length % 4) base64 += "=";
    var size = base64.length / 4 * 3 - (/==$/.test(base64) ? 2 : /=$/.test(base64) ? 1 : 0);
    var bytes = new Uint8Array(size), read = 0, at = 0;
    return inSlices(function () {
      var binary = atob(base64.slice(read, read + BASE64_SLICE));
      for (var k = 0; k < binary.length; k++) bytes[at + k] = binary.charCodeAt(k);
      read += BASE64_SLICE;
      at += binary.length;
      return read >= base64.length;
    }).then(function () { return bytes; });
  }

  // the figure's labels, else 0, 1, 2, ... as plotly.js numbers the cells
  function labelsOf(given, count) {
    var out = [];
    for (var i = 0; i < count; i++) {
      var label = Array.isArray(given) && i < given.length ? given[i] : i;
      out.push(label === null || label === undefined ? "" : String(label));
    }
    return out;
  }

  function csvValue(v) {
    if (typeof v === "number") return isFinite(v) ? String(v) : "";
    return v === null || v === undefined ? "" : csvText(String(v));
  }

  // Text as a CSV field that a spreadsheet shows as text and never runs as a formula:
  // Excel, LibreOffice and Google Sheets run a field starting with = + - @, a tab or a
  // carriage return, so it gets a leading ' (OWASP's advice), unless it is a plain number
  // (-5, +0.5, -1e3), which stays a number. Quoted as RFC 4180 says.
  function csvText(text) {
    if (text !== "" && FORMULA_START.indexOf(text.charAt(0)) >= 0 && !PLAIN_NUMBER.test(text)) {
      text = "'" + text;
    }
    return /[,"\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  drawCharts();
  followDarkMode();
  // mkdocs-material's instant navigation swaps the page in without loading it: its
  // document$ observable tells when (the first time at once, which draws nothing new)
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { drawCharts(); });
  }
  copyButtons();
  downloads();
  filterCards();
})();
