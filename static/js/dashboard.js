/* Draws the dashboard's charts with the portal's own copy of ECharts (no CDN); data comes from #chart-data. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#c2185b", "#455a64"];
  var text = { fontSize: 14, fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" };

  function named(spec) {
    return spec.labels.map(function (label, i) { return { name: label, value: spec.series[0].data[i] }; });
  }

  function optionFor(spec) {
    var base = { color: palette, textStyle: text, animation: false, tooltip: { trigger: "item" } };
    if (spec.type === "pie") {
      base.legend = { bottom: 0 };
      base.series = [{ type: "pie", radius: ["35%", "65%"], data: named(spec), label: { formatter: "{b}\n{c}%" } }];
      return base;
    }
    if (spec.type === "funnel") {
      base.series = [{ type: "funnel", sort: "none", left: "10%", width: "80%", data: named(spec),
        label: { formatter: "{b}：{c}" } }];
      return base;
    }
    base.tooltip = { trigger: "axis" };
    base.grid = { left: 48, right: 16, top: 24, bottom: spec.series.length > 1 ? 64 : 40, containLabel: true };
    base.xAxis = { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.labels.length > 6 ? 30 : 0 } };
    base.yAxis = { type: "value", minInterval: 1 };
    if (spec.series.length > 1) { base.legend = { bottom: 0, type: "scroll" }; }
    base.series = spec.series.map(function (item) {
      return {
        name: item.name,
        type: spec.type === "line" ? "line" : "bar",
        stack: spec.type === "stacked" ? "total" : undefined,
        data: item.data,
        label: { show: spec.type === "bar", position: "top" },
        barMaxWidth: 48
      };
    });
    return base;
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var spec = data[box.getAttribute("data-chart")];
    if (!spec) { return; }
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption(optionFor(spec));
    charts.push(chart);
  });
  function resize() { charts.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
}());
