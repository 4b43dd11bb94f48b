// The indicator page: Chart / Table / Map tabs, the uPlot chart with one focusable marker per point,
// and the source panel that shows the chosen point's source and quote (rendered by the server, escaped).
import uPlot from "uplot";
import { readJSON, setState, syncLanguageSwitch, compactNumber, formatNumber } from "./state.js";

const lang = () => (document.documentElement.lang === "zh-CN" ? "zh" : "en");

function initTabs() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const show = (tab, focus) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    }
    document.getElementById("view-input").value = tab.dataset.view;
    setState({ view: tab.dataset.view === "chart" ? null : tab.dataset.view });
    if (focus) tab.focus();
    window.dispatchEvent(new Event("socsec:view"));
  };
  tabs.forEach((tab, i) => {
    tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
    tab.addEventListener("click", (event) => { event.preventDefault(); show(tab, false); });
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) { event.preventDefault(); show(tabs[(i + step + tabs.length) % tabs.length], true); }
    });
  });
}

function selectPoint(year, markers) {
  for (const section of document.querySelectorAll("#source-panel .source")) {
    section.hidden = section.dataset.year !== String(year);
  }
  document.getElementById("source-hint").hidden = true;
  for (const marker of markers) marker.setAttribute("aria-pressed", marker.dataset.year === String(year) ? "true" : "false");
  for (const row of document.querySelectorAll("#series-table tbody tr")) {
    row.classList.toggle("selected", row.dataset.year === String(year));
  }
  setState({ point: year });
}

function makeMarkers(over, points, data, texts) {
  return points.map((point, i) => {
    const marker = document.createElement("button");
    marker.type = "button";
    marker.className = "marker" + (point.disagree ? " disagree" : "");
    marker.dataset.year = String(point.year);
    marker.dataset.index = String(i);
    marker.setAttribute("aria-pressed", "false");
    marker.setAttribute("aria-label", `${point.year}: ${formatNumber(point.value_normalised, lang())} ${data.unit}` +
      ` (${texts.source}: ${point.source_title || point.source_id})` + (point.disagree ? ` ⚠ ${texts.disagree}` : ""));
    marker.title = `${point.year}: ${formatNumber(point.value_normalised, lang())}`;
    over.append(marker);
    return marker;
  });
}

function placeMarkers(u, markers, points) {
  markers.forEach((marker, i) => {
    marker.style.left = u.valToPos(points[i].year, "x") + "px";
    marker.style.top = u.valToPos(points[i].value_normalised, "y") + "px";
  });
}

function chartOptions(target, data, onDraw) {
  const width = Math.max(280, target.clientWidth || 600);
  return {
    width, height: Math.min(360, Math.max(220, Math.round(width * 0.5))),
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: { x: { time: false } },
    axes: [
      { values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) },
      { size: 70, values: (u, ticks) => ticks.map((t) => compactNumber(t, lang())) },
    ],
    series: [{}, { label: data.indicator.id, stroke: "#1f5fa8", width: 2, points: { show: true, size: 6, fill: "#1f5fa8" } }],
    hooks: { draw: [onDraw] },
  };
}

function initChart(data) {
  const target = document.getElementById("chart");
  const points = data.points;
  if (!target || !points.length) return [];
  const xs = points.map((p) => p.year);
  const ys = points.map((p) => p.value_normalised);
  let markers = [];
  const plot = new uPlot(chartOptions(target, data, (u) => placeMarkers(u, markers, points)), [xs, ys], target);
  markers = makeMarkers(plot.over, points, data, data.texts);
  placeMarkers(plot, markers, points);
  markers.forEach((marker, i) => {
    marker.addEventListener("click", () => selectPoint(points[i].year, markers));
    marker.addEventListener("focus", () => selectPoint(points[i].year, markers));
    marker.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[event.key];
      if (step) {
        event.preventDefault();
        markers[Math.min(markers.length - 1, Math.max(0, i + step))].focus();
      }
    });
  });
  plot.over.addEventListener("click", (event) => {  // a click near the line picks the nearest year
    if (event.target.classList.contains("marker") || plot.cursor.idx == null) return;
    selectPoint(points[plot.cursor.idx].year, markers);
  });
  const resize = () => {
    if (!target.clientWidth) return;
    const width = Math.max(280, target.clientWidth);
    plot.setSize({ width, height: Math.min(360, Math.max(220, Math.round(width * 0.5))) });
  };
  new ResizeObserver(resize).observe(target);
  window.addEventListener("socsec:view", resize);
  return markers;
}

export function initIndicator() {
  const data = readJSON("indicator-data");
  initTabs();
  const markers = initChart(data);
  for (const link of document.querySelectorAll(".point-link")) {
    link.addEventListener("click", (event) => { event.preventDefault(); selectPoint(link.dataset.year, markers); });
  }
  const point = new URL(window.location.href).searchParams.get("point");
  if (point) for (const m of markers) m.setAttribute("aria-pressed", m.dataset.year === point ? "true" : "false");
  syncLanguageSwitch();
}
