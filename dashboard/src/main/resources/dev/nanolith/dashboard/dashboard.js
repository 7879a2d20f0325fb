// Draws each chart cell (.spark) with uPlot from its data-series: [[time…], [value…], ([value…])].
// Run on load and after every htmx swap, which replaces a panel's cells.
(function () {
  const colours = { rate: ["#2f5bd3"], errors: ["#b42318"], latency: ["#1f8a4c", "#c2410c"] };

  function draw(cell) {
    if (cell.dataset.drawn) {
      return;
    }
    cell.dataset.drawn = "1";
    const data = JSON.parse(cell.dataset.series);
    const series = [{}].concat(data.slice(1).map((_, i) => ({
      // A line needs two points: before the second sample, the first shows as a dot.
      stroke: colours[cell.dataset.kind][i], width: 1.5, points: { show: data[0].length < 3, size: 4 },
      fill: cell.dataset.kind === "latency" ? undefined : colours[cell.dataset.kind][i] + "22",
    })));
    new uPlot({
      width: 90, height: 28, legend: { show: false }, cursor: { show: false }, select: { show: false },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max || 0, cell.dataset.kind === "errors" ? 1 : 0.001)] } },
      axes: [{ show: false }, { show: false }], series: series,
    }, data, cell);
  }

  function drawAll(root) {
    root.querySelectorAll(".spark").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
})();
