// The map: Sichuan and Chongqing outlines (served by the app, WGS 84), the demo rivers as sketch lines
// between their stations, and the stations coloured by water class or AQI level.

import { beijingShort, escapeHtml, jurisdictionName, NO_STATUS_COLOUR, waterColour } from "./format.js";
import { language, t, waterStatus } from "./i18n.js";

const MAP_NAME = "sc_cq";
const GEO_URL = "/dashboard/geo/provinces.geojson";
const VIEW = [[101.6, 33.4], [110.4, 27.4]]; // [west, north], [east, south] in degrees
const REGION_FILL = { SC: "#eaf0f6", CQ: "#f3efe6" };

let chart = null;
let geoFeatures = null;
let layer = "all";
let lastOverview = null;
let onPick = () => {};

export async function initMap(element, pick) {
  onPick = pick;
  if (!geoFeatures) {
    const response = await fetch(GEO_URL);
    if (!response.ok) throw new Error(`${GEO_URL}: ${response.status}`);
    const geo = await response.json();
    echarts.registerMap(MAP_NAME, geo);
    geoFeatures = geo.features;
  }
  chart = echarts.init(element, null, { renderer: "canvas" });
  chart.on("click", (event) => {
    if (event.componentType === "series" && event.data && event.data.mn) onPick(event.data.mn);
  });
  // the panel grows with the side column after the first render: follow the element, not the window
  new ResizeObserver(() => chart && chart.resize()).observe(element);
  return chart;
}

export function setLayer(name) {
  layer = name;
  if (lastOverview) renderMap(lastOverview);
}

export function stationColour(station) {
  if (station.kind === "water") return station.water && station.water.class ? waterColour(station.water.colour) : NO_STATUS_COLOUR;
  if (station.kind === "air") return station.air && station.air.colour ? station.air.colour : NO_STATUS_COLOUR;
  return NO_STATUS_COLOUR;
}

function riverLines(overview) {
  const byRiver = new Map();
  for (const s of overview.stations) {
    if (s.kind !== "water" || !s.river || s.river_km === null || s.lon === null) continue;
    if (!byRiver.has(s.river)) byRiver.set(s.river, []);
    byRiver.get(s.river).push(s);
  }
  const lines = [];
  for (const [river, stations] of byRiver) {
    if (stations.length < 2) continue;
    stations.sort((a, b) => a.river_km - b.river_km);
    const name = language() === "zh" ? river : overview.rivers[river] || river;
    lines.push({ name, coords: stations.map((s) => [s.lon, s.lat]) });
  }
  return lines;
}

// The middle of a river's sketch line, where its name goes.
function middleOf(coords) {
  const k = Math.floor((coords.length - 1) / 2);
  const [a, b] = [coords[k], coords[Math.min(k + 1, coords.length - 1)]];
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

function statusLine(s) {
  if (s.kind === "water") {
    if (!s.water || !s.water.class) return t("map.noclass");
    return `${t("list.class")}: ${s.water.label}（${waterStatus(s.water.status)}）`;
  }
  if (s.kind === "air") {
    if (!s.air || s.air.aqi === null) return t("map.noclass");
    const cat = language() === "zh" ? s.air.category_zh : s.air.category_en;
    return `AQI ${s.air.aqi}（${cat}）· ${beijingShort(s.air.time)}`;
  }
  return "";
}

function tooltip(s, names) {
  const parts = [
    `<b>${escapeHtml(s.name)}</b>`,
    `${escapeHtml(names[s.jurisdiction] || s.jurisdiction)} · ${t(`kind.${s.kind}`)}${s.river ? ` · ${escapeHtml(s.river)}` : ""}`,
    escapeHtml(statusLine(s)),
  ];
  if (!s.own) parts.push(escapeHtml(t("list.viaAgreement", { ids: s.agreements.join(", #") })));
  if (s.simulated) parts.push(`<span style="color:#b45309">${escapeHtml(t("sim.title"))}</span>`);
  return parts.join("<br>");
}

function point(s, names) {
  const colour = stationColour(s);
  return {
    name: s.name,
    mn: s.mn,
    kind: s.kind,
    own: s.own,
    value: [s.lon, s.lat],
    tip: tooltip(s, names),
    itemStyle: {
      color: colour,
      borderColor: s.own ? "#ffffff" : "#1b2733",
      borderWidth: s.own ? 1.2 : 1.6,
      borderType: s.own ? "solid" : "dashed",
      shadowBlur: 3,
      shadowColor: "rgba(0,0,0,0.25)",
    },
  };
}

export function renderMap(overview) {
  lastOverview = overview;
  if (!chart) return;
  const names = Object.fromEntries(overview.jurisdictions.map((j) => [j.code, jurisdictionName(j.code, j.name)]));
  const placed = overview.stations.filter((s) => s.lon !== null && s.lat !== null);
  const water = placed.filter((s) => s.kind === "water").map((s) => point(s, names));
  const air = placed.filter((s) => s.kind === "air").map((s) => point(s, names));
  const nameMap = Object.fromEntries(
    (geoFeatures || []).map((f) => [f.properties.name, jurisdictionName(f.properties.jurisdiction, f.properties.name)]),
  );
  const regions = (geoFeatures || []).map((f) => ({
    name: nameMap[f.properties.name],
    itemStyle: { areaColor: REGION_FILL[f.properties.jurisdiction] || "#eef1f4" },
  }));
  const rivers = layer !== "air" ? riverLines(overview) : [];
  const showWater = layer !== "air";
  const showAir = layer !== "water";
  chart.setOption(
    {
      animation: false,
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: (p) => (p.data && p.data.tip) || (p.seriesType === "lines" ? escapeHtml(p.data.name) : ""),
      },
      geo: {
        map: MAP_NAME,
        roam: true,
        // open on the basin where the stations are (roam to see the western plateau)
        boundingCoords: VIEW,
        scaleLimit: { min: 0.8, max: 12 },
        label: { show: true, color: "#6b7a89", fontSize: 15, fontWeight: 600 },
        itemStyle: { borderColor: "#8796a5", borderWidth: 1.2, areaColor: "#eef1f4" },
        emphasis: { disabled: true },
        select: { disabled: true },
        nameMap,
        regions,
      },
      series: [
        {
          id: "rivers",
          name: "rivers",
          type: "lines",
          coordinateSystem: "geo",
          polyline: true,
          silent: false,
          zlevel: 1,
          lineStyle: { color: "#4f9bd9", width: 2.2, opacity: 0.8, type: "dashed" },
          data: rivers,
        },
        {
          id: "river-names",
          type: "scatter",
          coordinateSystem: "geo",
          silent: true,
          symbolSize: 0,
          zlevel: 1,
          label: { show: true, formatter: "{b}", color: "#2b6ea6", fontSize: 11, fontStyle: "italic", position: "right" },
          data: rivers.map((r) => ({ name: r.name, value: middleOf(r.coords) })),
        },
        {
          id: "water",
          name: t("kind.water"),
          type: "scatter",
          coordinateSystem: "geo",
          symbol: "circle",
          symbolSize: 12,
          zlevel: 2,
          data: showWater ? water : [],
        },
        {
          id: "air",
          name: t("kind.air"),
          type: "scatter",
          coordinateSystem: "geo",
          symbol: "triangle",
          symbolSize: 13,
          zlevel: 2,
          data: showAir ? air : [],
        },
      ],
    },
    { replaceMerge: ["series"] },
  );
}

export function renderLegend(element, overview) {
  const water = overview.legend.water
    .map((c) => `<span class="key"><i class="dot" style="background:${waterColour(c.colour)}"></i>${escapeHtml(c.label)}</span>`)
    .join("");
  const aqi = overview.legend.aqi
    .map((lv) => {
      const name = language() === "zh" ? lv.category_zh : lv.category_en;
      return `<span class="key"><i class="tri" style="border-bottom-color:${lv.colour}"></i>${escapeHtml(name)}</span>`;
    })
    .join("");
  element.innerHTML = `
    <div class="legend-row"><span class="legend-title">${escapeHtml(t("legend.water"))}</span>${water}
      <span class="key"><i class="dot" style="background:${NO_STATUS_COLOUR}"></i>${escapeHtml(t("map.noclass"))}</span></div>
    <div class="legend-row"><span class="legend-title">${escapeHtml(t("legend.aqi"))}</span>${aqi}</div>
    <div class="legend-row"><span class="key"><i class="ring"></i>${escapeHtml(t("map.shared"))}</span>
      <span class="key"><i class="dash"></i>${escapeHtml(t("map.rivers"))}</span></div>`;
}

export function resizeMap() {
  if (chart) chart.resize();
}
