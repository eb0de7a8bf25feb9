/* Keeps an ECharts chart as wide as its box: when the window is narrowed or widened, and when
   the page is printed (an A4 page is some 690 px wide: a chart left at its screen width of
   1340 px was cut at the page's edge, its bars and last months lost), then back after printing.
   civicgridFitChart(chart, before): ``before(width)`` (optional) runs first, for an option that
   depends on the width (the ranking's axis ticks). Loaded after echarts.min.js. */
(function () {
  "use strict";
  var PRINT_WIDTH = 680; // px: A4 (210 mm) less 14 mm margins each side (core/print_report.html)
  var charts = [];

  function fit(entry, width) {
    var el = entry.chart.getDom();
    var w = width || el.clientWidth;
    if (entry.before) { entry.before(w); }
    entry.chart.resize(width ? {width: width, height: "auto"} : {width: "auto", height: "auto"});
  }

  function all(width) {
    charts.forEach(function (entry) {
      if (entry.chart.isDisposed && entry.chart.isDisposed()) { return; }
      fit(entry, width);
    });
  }

  // Before the print layout exists: a chart as wide as the screen's page is made as wide as
  // its share of a printed page (a chart half the page wide stays half of it).
  function forPrint() {
    var page = document.documentElement.clientWidth || PRINT_WIDTH;
    var scale = Math.min(1, PRINT_WIDTH / page);
    charts.forEach(function (entry) {
      var el = entry.chart.getDom();
      fit(entry, Math.max(120, Math.floor(el.clientWidth * scale)));
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () { pending = null; all(); }, 100);
  });
  window.addEventListener("beforeprint", forPrint);
  window.addEventListener("afterprint", function () { all(); });
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    // Under print media the boxes have their printed widths: fit to them; back on screen, refit.
    var changed = function () { all(); };
    if (print.addEventListener) { print.addEventListener("change", changed); }
    else if (print.addListener) { print.addListener(changed); }
  }

  window.civicgridFitChart = function (chart, before) {
    charts.push({chart: chart, before: before});
    return chart;
  };
})();
