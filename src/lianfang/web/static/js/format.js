// Formatting shared by the panels: Beijing times, values, colours, safe HTML.

import { language, t } from "./i18n.js";

// 环办[2011]22号 colour names (sent by the server with each class) → screen colours
const WATER_COLOURS = {
  blue: "#1f78d1",
  green: "#2ca25f",
  yellow: "#f2c200",
  orange: "#f07f1a",
  red: "#d7301f",
};
export const NO_STATUS_COLOUR = "#9aa5b1";

export function waterColour(name) {
  return WATER_COLOURS[name] || NO_STATUS_COLOUR;
}

// Text colour that stays legible on a level/class background.
export function inkOn(hex) {
  const v = hex.replace("#", "");
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(v.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#1b2733" : "#ffffff";
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// The API sends Beijing times with their offset ("2026-11-27T21:00:00+08:00"): the wall-clock part is
// what we show, whatever the browser's own time zone.
export function beijingShort(iso) {
  if (!iso) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return m ? `${m[2]}-${m[3]} ${m[4]}:${m[5]}` : iso;
}

export function beijingNow(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso || "");
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}` : "—";
}

// Milliseconds of the Beijing wall-clock time read as if it were UTC: with ECharts' useUTC the time
// axis then labels Beijing time in any browser.
export function beijingAxisMs(iso) {
  return Date.parse(iso) + 8 * 3600 * 1000;
}

// Start of the window of the last `hours` whole hours (UTC and Beijing agree on hour boundaries).
export function windowStartMs(hours) {
  const hour = 3600 * 1000;
  return Math.floor(Date.now() / hour) * hour - hours * hour;
}

export function isoUtc(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function formatValue(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const a = Math.abs(value);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

// Decimal places a value was sent with (HJ 212 data types are N3.1, N4.2 …), at most 3.
export function decimalsOf(value) {
  if (!Number.isFinite(value)) return 0;
  const text = String(value);
  const dot = text.indexOf(".");
  return dot < 0 || text.includes("e") ? 0 : Math.min(3, text.length - dot - 1);
}

export function formatShare(share) {
  if (share === null || share === undefined) return t("summary.none");
  return `${(share * 100).toFixed(share === 1 || share === 0 ? 0 : 1)}%`;
}

export function parameterName(catalogue, code) {
  const entry = catalogue[code];
  if (!entry) return code;
  return language() === "zh" ? entry.zh : entry.en;
}

// A short label for table headers ("NH3-N" rather than "ammonia nitrogen (NH3-N)").
export function parameterShort(catalogue, code) {
  const entry = catalogue[code];
  if (!entry) return code;
  return language() === "zh" ? entry.zh : entry.short_en || entry.en;
}

// Jurisdiction names come from the registry (Chinese); the English dictionary may name them.
export function jurisdictionName(code, registryName) {
  const key = `jur.${code}`;
  const translated = t(key);
  return language() === "en" && translated !== key ? translated : registryName || code;
}

export function parameterUnit(catalogue, code) {
  const unit = catalogue[code]?.unit || "";
  return unit === "pH" ? "" : unit; // pH is its own scale: no unit to show
}

export function durationText(text) {
  // agreement delays come as "0", "2h", "1d" …
  if (!text || text === "0" || text === "0s") return language() === "zh" ? "无" : "none";
  return text;
}
