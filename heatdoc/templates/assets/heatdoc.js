/* heatdoc's default theme: draws the chart of a chart page, filters the index's cards,
   copies a spec's YAML. Everything it needs is in the page (no fetch), so the site
   works opened from disk. Without JavaScript, pages show the thumbnail and the data table. */
(function () {
  "use strict";

  function drawChart() {
    var holder = document.getElementById("heatdoc-chart");
    var data = document.getElementById("heatdoc-figure");
    if (!holder || !data || !window.Plotly) return;
    var figure = JSON.parse(data.textContent);
    var layout = figure.layout || {};
    // plotly's default template ships once, in assets/plotly-template.js, not in every page
    if (!layout.template && window.heatdocPlotlyTemplate) layout.template = window.heatdocPlotlyTemplate;
    fitNarrowScreen(layout, holder.clientWidth);
    var fallback = holder.firstElementChild;
    // a bare div: with no height of its own, plotly.js sizes the plot by the layout (450 px by default)
    var plot = document.createElement("div");
    holder.textContent = "";
    holder.appendChild(plot);
    holder.classList.add("is-drawn");
    // typesetMath off: plotly.js would typeset a "$...$" title or label with a TeX library
    // if a page loaded one; text from a spec is shown as written, never typeset or run
    window.Plotly.newPlot(plot, figure.data, layout, {responsive: true, displaylogo: false, typesetMath: false})
      .catch(function (error) {
        holder.classList.remove("is-drawn");
        holder.textContent = "";
        if (fallback) holder.appendChild(fallback);
        if (window.console) console.error("heatdoc: the chart could not be drawn:", error);
      });
  }

  // On a phone, plotly's default 80 px side margins leave the cells too little room.
  // An axis that draws no tick labels needs no margin; one the spec sets is kept.
  function fitNarrowScreen(layout, width) {
    if (!width || width >= 600) return;
    function bare(axis) { return !!axis && (axis.visible === false || axis.showticklabels === false); }
    var margin = layout.margin = Object.assign({}, layout.margin);
    if (margin.l === undefined) margin.l = bare(layout.yaxis) ? 10 : 50;
    if (margin.r === undefined) margin.r = 10;
    if (margin.b === undefined) margin.b = bare(layout.xaxis) ? 10 : 40;
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
      var total = cards.length + (cards.length === 1 ? " chart" : " charts");
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

  drawChart();
  copyButtons();
  filterCards();
})();
