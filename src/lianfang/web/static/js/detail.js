// The station drawer: what the station is, its current class or AQI, and one line chart per parameter
// of its hourly values over the last 24 h or 7 days (read from /api/v1/stations/{mn}/observations).

import { getAllRows } from "./api.js";
import { beijingAxisMs, beijingShort, escapeHtml, isoUtc, jurisdictionName, parameterName, parameterUnit, windowStartMs } from "./format.js";
import { language, t, waterStatus } from "./i18n.js";

const MAX_ROWS = 20000; // 7 days × 24 h × ~15 parameters is ≈ 2,500: far below
const PREFERRED = ["w01001", "w01009", "w01019", "w21003", "w21011", "w21001", "w01010", "w01014", "w01003",
  "a34004", "a34002", "a05024", "a21004", "a21026", "a21005"];
const LINE = "#2166ac";
const FLAGGED = "#d7301f";
const GUIDE = "#f07f1a";
const ROMAN = ["", "I", "II", "III", "IV", "V", "劣V"];

let charts = [];
let request = 0;
export let current = { mn: null, hours: 24 };

function disposeCharts() {
  for (const c of charts) c.dispose();
  charts = [];
}

export function closeDrawer(drawer) {
  drawer.hidden = true;
  disposeCharts();
  current = { ...current, mn: null };
}

function meta(station, overview) {
  const names = Object.fromEntries(overview.jurisdictions.map((j) => [j.code, jurisdictionName(j.code, j.name)]));
  const parts = [station.mn, names[station.jurisdiction] || station.jurisdiction, t(`kind.${station.kind}`)];
  if (station.river) parts.push(`${station.river}${station.river_km !== null ? ` ${station.river_km} km` : ""}`);
  if (station.section_level) parts.push(t(`level.${station.section_level}`));
  if (station.target_class) parts.push(`${t("list.target")} ${ROMAN[station.target_class]}`);
  let html = parts.map(escapeHtml).join(" · ");
  if (station.simulated) html += ` <span class="tag tag-sim">${escapeHtml(t("sim.badge"))}</span>`;
  if (!station.own) {
    const owner = names[station.jurisdiction] || station.jurisdiction;
    html += ` <span class="tag tag-shared">${escapeHtml(t("drawer.sharedVia", { owner, ids: station.agreements.join(", #") }))}</span>`;
  }
  return html;
}

function status(station, catalogue) {
  if (station.kind === "water") {
    if (!station.water || !station.water.class) return escapeHtml(t("drawer.noStatus"));
    let text = t("drawer.currentClass", { label: station.water.label, status: waterStatus(station.water.status) });
    if (station.water.main_pollutants.length) {
      text += ` · ${t("drawer.mainPollutants", { p: station.water.main_pollutants.join("、") })}`;
    }
    return escapeHtml(text);
  }
  if (station.kind === "air") {
    if (!station.air || station.air.aqi === null) return escapeHtml(t("drawer.noStatus"));
    const cat = language() === "zh" ? station.air.category_zh : station.air.category_en;
    let text = t("drawer.currentAqi", { aqi: station.air.aqi, cat, time: beijingShort(station.air.time) });
    if (station.air.primary.length) text += ` · ${t("drawer.primary", { p: station.air.primary.join("、") })}`;
    return escapeHtml(text);
  }
  return "";
}

function guideLines(entry) {
  if (!entry) return [];
  if (entry.range) return entry.range.map((v) => ({ yAxis: v, name: "pH" }));
  if (entry.class_iii_min !== undefined) return [{ yAxis: entry.class_iii_min, name: t("drawer.classIII") }];
  if (entry.class_iii !== undefined) return [{ yAxis: entry.class_iii, name: t("drawer.classIII") }];
  return [];
}

// Valid values as a line broken at missing hours; flagged values as separate red points.
function seriesData(rows) {
  const line = [];
  const flagged = [];
  let previous = null;
  for (const row of rows) {
    const x = beijingAxisMs(row.time);
    if (row.flag !== "N" || row.value === null) {
      if (row.value !== null) flagged.push({ value: [x, row.value], flag: row.flag });
      continue;
    }
    if (previous !== null && x - previous > 3600 * 1000 * 1.5) line.push([x - 1, null]);
    line.push([x, row.value]);
    previous = x;
  }
  return { line, flagged };
}

function chartOption(code, rows, catalogue, hours) {
  const { line, flagged } = seriesData(rows);
  const guides = guideLines(catalogue[code]);
  const unit = parameterUnit(catalogue, code);
  const guideMax = guides.length ? Math.max(...guides.map((g) => g.yAxis)) : null;
  const guideMin = guides.length ? Math.min(...guides.map((g) => g.yAxis)) : null;
  const shift = 8 * 3600 * 1000; // axis values are Beijing wall-clock times read as UTC
  const start = windowStartMs(hours) + shift;
  const end = Date.now() + shift;
  return {
    useUTC: true, // x values are Beijing wall-clock times read as UTC (format.beijingAxisMs)
    animation: false,
    grid: { left: 48, right: 16, top: 14, bottom: 24 },
    tooltip: {
      trigger: "axis",
      valueFormatter: (v) => (v === null || v === undefined ? "—" : `${Number(v).toPrecision(4).replace(/\.?0+$/, "")} ${unit}`),
    },
    xAxis: {
      type: "time",
      min: start,
      max: end,
      axisLabel: {
        color: "#5b6b7b",
        fontSize: 10,
        hideOverlap: true,
        formatter: { year: "{yyyy}", month: "{MM}-{dd}", day: "{MM}-{dd}", hour: "{HH}:{mm}", minute: "{HH}:{mm}" },
      },
      axisLine: { lineStyle: { color: "#c5cfd9" } },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      scale: true,
      min: guideMin !== null ? (v) => Math.min(v.min, guideMin) : undefined,
      max: guideMax !== null ? (v) => Math.max(v.max, guideMax) : undefined,
      axisLabel: { color: "#5b6b7b", fontSize: 10 },
      splitLine: { lineStyle: { color: "#eef2f6" } },
    },
    series: [
      {
        name: parameterName(catalogue, code),
        type: "line",
        showSymbol: hours <= 24,
        symbolSize: 4,
        connectNulls: false,
        lineStyle: { color: LINE, width: 1.6 },
        itemStyle: { color: LINE },
        data: line,
        markLine: guides.length
          ? {
              silent: true,
              symbol: "none",
              lineStyle: { color: GUIDE, type: "dashed", width: 1 },
              label: { color: GUIDE, fontSize: 10, position: "insideEndTop", formatter: "{b} {c}" },
              data: guides,
            }
          : undefined,
      },
      {
        name: t("drawer.flagged"),
        type: "scatter",
        symbol: "emptyCircle",
        symbolSize: 6,
        itemStyle: { color: FLAGGED },
        data: flagged,
      },
    ],
  };
}

function orderCodes(codes) {
  const known = PREFERRED.filter((c) => codes.includes(c));
  return [...known, ...codes.filter((c) => !PREFERRED.includes(c)).sort()];
}

export async function openStation(drawer, station, overview, hours = current.hours) {
  current = { mn: station.mn, hours };
  const mine = ++request;
  drawer.hidden = false;
  drawer.querySelector("#drawer-title").textContent = station.name;
  drawer.querySelector("#drawer-meta").innerHTML = meta(station, overview);
  drawer.querySelector("#drawer-status").innerHTML = status(station, overview.parameters);
  for (const b of drawer.querySelectorAll("#range button")) b.classList.toggle("active", Number(b.dataset.hours) === hours);
  const box = drawer.querySelector("#charts");
  disposeCharts();
  box.innerHTML = `<p class="muted">${escapeHtml(t("drawer.loading"))}</p>`;
  let result;
  try {
    result = await getAllRows(`/api/v1/stations/${encodeURIComponent(station.mn)}/observations`,
      { kind: "hour", from: isoUtc(windowStartMs(hours)), limit: 10000 }, MAX_ROWS);
  } catch (err) {
    if (mine !== request) return;
    box.innerHTML = `<p class="error">${escapeHtml(t("status.error", { msg: err.message }))}</p>`;
    throw err;
  }
  if (mine !== request) return; // a newer click won
  const byParam = new Map();
  for (const row of result.rows) {
    if (!byParam.has(row.param)) byParam.set(row.param, []);
    byParam.get(row.param).push(row);
  }
  if (!byParam.size) {
    box.innerHTML = `<p class="muted">${escapeHtml(t("drawer.empty"))}</p>`;
    return;
  }
  const catalogue = overview.parameters;
  const codes = orderCodes([...byParam.keys()]);
  const note = result.truncated ? `<p class="muted">${escapeHtml(t("drawer.truncated", { n: MAX_ROWS }))}</p>` : "";
  box.innerHTML = note + codes.map((code) => {
    const unit = parameterUnit(catalogue, code);
    return `<figure class="chart-card" data-param="${escapeHtml(code)}">
      <figcaption><b>${escapeHtml(parameterName(catalogue, code))}</b>
        <span class="muted">${escapeHtml(unit ? `[${unit}]` : "")} · ${escapeHtml(code)} · ${escapeHtml(t("drawer.hourly"))}</span></figcaption>
      <div class="chart"></div></figure>`;
  }).join("");
  for (const card of box.querySelectorAll(".chart-card")) {
    const code = card.dataset.param;
    const rows = byParam.get(code).sort((a, b) => (a.time < b.time ? -1 : 1));
    const chart = echarts.init(card.querySelector(".chart"), null, { renderer: "canvas" });
    chart.setOption(chartOption(code, rows, catalogue, hours));
    charts.push(chart);
  }
}

export function resizeCharts() {
  for (const c of charts) c.resize();
}
