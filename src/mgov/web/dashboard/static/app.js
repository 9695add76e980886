// Progressive enhancement: every page works without this file; with it, the overview's
// tables also show as charts (Apache ECharts, loaded only on that page), and tables that
// scroll sideways on a narrow screen take the keyboard's focus.
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function histogram(el) {
    var d = data("histogram-data");
    if (!d) { return; }
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false, tooltip: { trigger: "axis" }, legend: {},
      grid: { left: 40, right: 16, bottom: 30, top: 40 },
      xAxis: { type: "category", data: d.bands }, yAxis: { type: "value", minInterval: 1 },
      series: Object.keys(d.series).sort().map(function (tier) {
        return { name: tier, type: "bar", stack: "n", data: d.series[tier] };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function trend(el) {
    var d = data("trend-data");
    if (!d) { return; }
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false, tooltip: { trigger: "axis" }, legend: {},
      grid: { left: 40, right: 40, bottom: 30, top: 40 },
      xAxis: { type: "category", data: d.points.map(function (p) { return p.period; }) },
      yAxis: [{ type: "value", name: d.mean }, { type: "value", name: d.vetoed, minInterval: 1 }],
      series: [
        { name: d.mean, type: "line", data: d.points.map(function (p) { return p.mean; }) },
        { name: d.vetoed, type: "bar", yAxisIndex: 1, data: d.points.map(function (p) { return p.vetoed; }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // A table wider than the screen scrolls inside its own box (app.css): a keyboard reaches it
  // too (a tab stop), as a finger or a mouse does.
  function scrollers() {
    document.querySelectorAll("table.data").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    scrollers();
    window.addEventListener("resize", scrollers);
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chart === "histogram") { histogram(el); }
      if (el.dataset.chart === "trend") { trend(el); }
    });
  });
})();
