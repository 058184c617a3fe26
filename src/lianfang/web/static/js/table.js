// The station list: newest hourly value of each parameter, with units, flags and Beijing time.

import { beijingShort, decimalsOf, escapeHtml, formatValue, inkOn, jurisdictionName, NO_STATUS_COLOUR, parameterName, parameterShort, parameterUnit, waterColour } from "./format.js";
import { language, t, waterStatus } from "./i18n.js";

// Column order of the usual parameters; any other parameter a station sends follows them.
const PREFERRED = {
  water: ["w01001", "w01009", "w01019", "w21003", "w21011", "w21001", "w01010", "w01014", "w01003"],
  air: ["a34004", "a34002", "a05024", "a21004", "a21026", "a21005"],
};
const ROMAN = ["", "I", "II", "III", "IV", "V", "劣V"];

export function latestByStation(rows) {
  const out = new Map();
  for (const row of rows) {
    if (!out.has(row.mn)) out.set(row.mn, new Map());
    out.get(row.mn).set(row.param, row);
  }
  return out;
}

function columnsFor(kind, stations, latest) {
  const present = new Set();
  for (const s of stations) for (const code of (latest.get(s.mn) || new Map()).keys()) present.add(code);
  const preferred = PREFERRED[kind] || [];
  const others = [...present].filter((c) => !preferred.includes(c)).sort();
  return [...preferred.filter((c) => present.has(c)), ...others];
}

function badge(text, colour, title = "") {
  return `<span class="pill" style="background:${colour};color:${inkOn(colour)}" title="${escapeHtml(title)}">${escapeHtml(text)}</span>`;
}

function statusCell(s) {
  if (s.kind === "water") {
    const target = s.target_class ? `<span class="muted small">${escapeHtml(t("list.target"))} ${ROMAN[s.target_class]}</span>` : "";
    if (!s.water || !s.water.class) return `${badge("—", NO_STATUS_COLOUR)} ${target}`;
    const worse = s.target_class && s.water.class > s.target_class ? " exceeds" : "";
    return `<span class="status${worse}">${badge(s.water.label, waterColour(s.water.colour), waterStatus(s.water.status))} ${target}</span>`;
  }
  if (!s.air || s.air.aqi === null) return badge("—", NO_STATUS_COLOUR);
  const cat = language() === "zh" ? s.air.category_zh : s.air.category_en;
  return `${badge(String(s.air.aqi), s.air.colour, cat)} <span class="small">${escapeHtml(cat)}</span>`;
}

// One number of decimals per column: as many as its values were sent with (a column reads evenly).
function columnDecimals(columns, stations, latest) {
  const out = new Map();
  for (const c of columns) {
    let digits = 0;
    for (const s of stations) {
      const row = (latest.get(s.mn) || new Map()).get(c);
      if (row && row.value !== null) digits = Math.max(digits, decimalsOf(row.value));
    }
    out.set(c, digits);
  }
  return out;
}

function valueCell(row, digits) {
  if (!row) return `<td class="num muted">—</td>`;
  const text = row.value === null || !Number.isFinite(row.value) ? formatValue(row.value) : row.value.toFixed(digits);
  if (row.flag && row.flag !== "N") {
    const meaning = t(`flag.${row.flag}`);
    const title = `${row.flag}: ${meaning === `flag.${row.flag}` ? row.flag : meaning}`;
    return `<td class="num flagged" title="${escapeHtml(title)}">${escapeHtml(text)}<sup>${escapeHtml(row.flag)}</sup></td>`;
  }
  return `<td class="num">${escapeHtml(text)}</td>`;
}

function newestTime(params) {
  let newest = null;
  for (const row of params.values()) if (!newest || row.time > newest) newest = row.time;
  return newest;
}

function stationCell(s) {
  const tags = [];
  if (s.section_level) tags.push(`<span class="tag tag-${escapeHtml(s.section_level)}">${escapeHtml(t(`level.${s.section_level}`))}</span>`);
  if (s.simulated) tags.push(`<span class="tag tag-sim" title="${escapeHtml(t("sim.title"))}">${escapeHtml(t("sim.short"))}</span>`);
  return `<td class="station-name"><span class="name">${escapeHtml(s.name)}</span>${tags.join("")}</td>`;
}

function sourceCell(s) {
  if (s.own) return `<td><span class="muted small">${escapeHtml(t("list.own"))}</span></td>`;
  return `<td><span class="tag tag-shared">${escapeHtml(t("list.viaAgreement", { ids: s.agreements.join(", #") }))}</span></td>`;
}

export function renderTable(table, overview, latest, kind, filterText, selected) {
  const names = Object.fromEntries(overview.jurisdictions.map((j) => [j.code, jurisdictionName(j.code, j.name)]));
  const needle = filterText.trim().toLowerCase();
  const stations = overview.stations
    .filter((s) => s.kind === kind)
    .filter((s) => !needle || [s.name, s.river || "", s.mn, names[s.jurisdiction] || ""].some((v) => v.toLowerCase().includes(needle)))
    .sort((a, b) => Number(b.own) - Number(a.own) || a.jurisdiction.localeCompare(b.jurisdiction) ||
      (a.river || "").localeCompare(b.river || "") || (a.river_km ?? 0) - (b.river_km ?? 0) || a.name.localeCompare(b.name));
  const columns = columnsFor(kind, stations, latest);
  const catalogue = overview.parameters;
  const digits = columnDecimals(columns, stations, latest);
  const head = [
    `<th>${escapeHtml(t("list.station"))}</th>`,
    `<th>${escapeHtml(t("list.jurisdiction"))}</th>`,
    kind === "water" ? `<th>${escapeHtml(t("list.river"))}</th>` : "",
    `<th>${escapeHtml(kind === "water" ? t("list.class") : t("list.aqi"))}</th>`,
    ...columns.map((c) => {
      const unit = parameterUnit(catalogue, c);
      return `<th class="num" title="${escapeHtml(`${parameterName(catalogue, c)} · ${c}`)}">${escapeHtml(parameterShort(catalogue, c))}${unit ? `<span class="unit">${escapeHtml(unit)}</span>` : ""}</th>`;
    }),
    `<th>${escapeHtml(t("list.time"))}</th>`,
    `<th>${escapeHtml(t("list.source"))}</th>`,
  ].join("");
  const body = stations.map((s) => {
    const params = latest.get(s.mn) || new Map();
    const cells = [
      stationCell(s),
      `<td>${escapeHtml(names[s.jurisdiction] || s.jurisdiction)}</td>`,
      kind === "water" ? `<td>${escapeHtml(s.river || "—")}</td>` : "",
      `<td>${statusCell(s)}</td>`,
      ...columns.map((c) => valueCell(params.get(c), digits.get(c))),
      `<td class="time">${escapeHtml(beijingShort(newestTime(params)))}</td>`,
      sourceCell(s),
    ].join("");
    const cls = [s.own ? "" : "shared", s.mn === selected ? "selected" : ""].join(" ").trim();
    return `<tr data-mn="${escapeHtml(s.mn)}" class="${cls}" tabindex="0">${cells}</tr>`;
  });
  const empty = `<tr><td class="empty" colspan="${columns.length + 6}">${escapeHtml(t("list.empty"))}</td></tr>`;
  table.innerHTML = `<thead><tr>${head}</tr></thead><tbody>${body.join("") || empty}</tbody>`;
}
