/* The dashboard's only script: draws the charts from the JSON the server rendered with the
   figures, and swaps in freshly rendered figures when the event stream says analytics has
   applied new events. Served by the analytics service; it loads nothing from elsewhere. */
(function () {
  "use strict";

  // Okabe-Ito: distinguishable with common colour-vision deficiencies.
  var PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
  var INK = "#0b0c0c";
  var GRID = "#d8d8d8";
  var panel = document.getElementById("panel");
  var live = document.getElementById("live");
  var drawn = [];

  function say(text, state) {
    live.textContent = text;
    live.dataset.state = state;
  }

  // Long category names on several lines (a chart is narrow on a phone): Chart.js draws an
  // array as lines.
  function wrapped(label) {
    var lines = [];
    var line = "";
    String(label).split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > 26) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    lines.push(line);
    return lines;
  }

  function chart(canvas, spec) {
    var horizontal = Boolean(spec.horizontal);
    var unit = spec.unit || "";
    var line = spec.type === "line";
    var datasets = spec.series.map(function (s, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: s.name, data: s.values, backgroundColor: colour, borderColor: colour,
        borderWidth: line ? 2 : 0, pointRadius: line ? 2 : 0, tension: 0
      };
    });
    var values = {
      beginAtZero: true,
      max: spec.max || undefined,
      grid: { color: GRID },
      ticks: {
        color: INK,
        precision: spec.max === 4 ? 1 : 0,
        callback: function (v) { return v + unit; }
      }
    };
    var categories = { grid: { display: false }, ticks: { color: INK, autoSkip: true } };
    return new window.Chart(canvas, {
      type: spec.type,
      data: { labels: horizontal ? spec.labels.map(wrapped) : spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        scales: horizontal ? { x: values, y: categories } : { x: categories, y: values },
        plugins: {
          legend: { display: spec.series.length > 1, labels: { color: INK } },
          tooltip: {
            callbacks: {
              label: function (c) {
                var v = c.raw === null ? "n/a" : c.raw + unit;
                return c.dataset.label + ": " + v;
              }
            }
          }
        }
      }
    });
  }

  function draw() {
    drawn.splice(0).forEach(function (c) { c.destroy(); });
    var source = document.getElementById("chart-data");
    if (!window.Chart || !source) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = data[canvas.dataset.chart];
      if (spec) { drawn.push(chart(canvas, spec)); }
    });
  }

  // --- live updates ---------------------------------------------------------------------------
  var known = panel.querySelector("[data-version]").dataset.version;
  var busy = false;
  var again = false;
  var stream = null;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(panel.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          say("Your sign-in has ended: reload the page to sign in again.", "ended");
          if (stream) { stream.close(); }
          return;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text().then(function (html) {
          panel.innerHTML = html;
          draw();
          say("Updated with new events at " + new Date().toLocaleTimeString("en-GB") + ".", "updated");
        });
      })
      .catch(function () {
        say("Could not refresh the figures; trying again with the next update.", "error");
      })
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function listen() {
    stream = new EventSource(panel.dataset.stream);
    stream.addEventListener("version", function (event) {
      if (live.dataset.state === "connecting" || live.dataset.state === "error") {
        say("Live: the figures update as new events arrive.", "live");
      }
      if (event.data !== known) {
        known = event.data;
        refresh();
      }
    });
    stream.addEventListener("error", function () {
      if (stream.readyState === EventSource.CLOSED) {
        // Refused (signed out?) or the service is away: find out, then try again later.
        say("Live updates interrupted; reconnecting…", "error");
        refresh();
        window.setTimeout(listen, 5000);
      }
      // Otherwise the stream simply ended and EventSource is reconnecting by itself.
    });
  }

  if (window.Chart) {
    window.Chart.defaults.font.family = '"DejaVu Sans", Arial, Helvetica, sans-serif';
    window.Chart.defaults.color = INK;
  }
  draw();
  if (window.EventSource && panel.dataset.stream) { listen(); }
}());
