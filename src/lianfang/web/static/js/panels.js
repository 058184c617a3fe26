// Side panels: regional summary, warnings, and what is shared under which agreement.

import { getJson } from "./api.js";
import { beijingShort, durationText, escapeHtml, formatShare, inkOn, jurisdictionName, parameterName, waterColour } from "./format.js";
import { language, t, waterStatus } from "./i18n.js";

function bar(segments) {
  const total = segments.reduce((n, s) => n + s.count, 0);
  if (!total) return `<div class="bar empty"></div>`;
  return `<div class="bar">${segments
    .filter((s) => s.count)
    .map((s) => `<span style="flex:${s.count};background:${s.colour};color:${inkOn(s.colour)}" title="${escapeHtml(s.title)}: ${s.count}">${s.count}</span>`)
    .join("")}</div>`;
}

function regionCard(region, overview) {
  const water = region.water;
  const air = region.air;
  const waterSegments = overview.legend.water.map((c) => ({
    count: water.classes[String(c.class)] || 0,
    colour: waterColour(c.colour),
    title: `${c.label} ${waterStatus(c.status)}`,
  }));
  const airSegments = overview.legend.aqi.map((lv) => ({
    count: air.levels[String(lv.level)] || 0,
    colour: lv.colour,
    title: language() === "zh" ? lv.category_zh : lv.category_en,
  }));
  const tag = region.own ? `<span class="tag tag-own">${escapeHtml(t("summary.own"))}</span>` : `<span class="tag tag-shared">${escapeHtml(t("summary.shared"))}</span>`;
  const sim = region.simulated ? `<span class="tag tag-sim" title="${escapeHtml(t("sim.title"))}">${escapeHtml(t("sim.short"))}</span>` : "";
  const waterBlock = region.water_stations
    ? `<div class="metric-row">
        <div class="metric-label">${escapeHtml(t("summary.water"))} <b>${region.water_stations}</b></div>
        <div class="metric"><span class="metric-value good">${formatShare(water.share_i_iii)}</span><span class="metric-name">${escapeHtml(t("summary.good"))}</span></div>
        <div class="metric"><span class="metric-value ${water.share_worse_v ? "bad" : "zero"}">${formatShare(water.share_worse_v)}</span><span class="metric-name">${escapeHtml(t("summary.worst"))}</span></div>
      </div>${bar(waterSegments)}<div class="metric-foot">${escapeHtml(t("summary.assessed", { n: water.assessed }))}</div>`
    : "";
  const airBlock = region.air_stations
    ? `<div class="metric-row">
        <div class="metric-label">${escapeHtml(t("summary.air"))} <b>${region.air_stations}</b></div>
        <div class="metric"><span class="metric-value good">${formatShare(air.share_good_now)}</span><span class="metric-name">${escapeHtml(t("summary.aqiGood"))}</span></div>
        <div class="metric"><span class="metric-value">${formatShare(air.share_good_hours_today)}</span><span class="metric-name">${escapeHtml(t("summary.goodHours"))}</span></div>
      </div>${bar(airSegments)}<div class="metric-foot">${escapeHtml(t("summary.aqiAssessed", { n: air.assessed }))}</div>`
    : "";
  return `<article class="region" data-code="${escapeHtml(region.code)}">
    <header><h3>${escapeHtml(jurisdictionName(region.code, region.name))} <span class="code">${escapeHtml(region.code)}</span></h3>${tag}${sim}
      <span class="count">${escapeHtml(t("summary.count", { n: region.stations }))}</span></header>
    ${waterBlock}${airBlock}</article>`;
}

export function renderSummary(element, overview) {
  if (!overview.summary.length) {
    element.innerHTML = `<p class="muted">${escapeHtml(t("summary.empty"))}</p>`;
    return;
  }
  element.innerHTML = overview.summary.map((r) => regionCard(r, overview)).join("");
}

export async function renderAlerts(element, overview) {
  if (!overview.alerts) {
    element.innerHTML = `<div class="empty-state" data-state="no-rules">
      <div class="empty-icon" aria-hidden="true">!</div>
      <div><b>${escapeHtml(t("alerts.none"))}</b><p>${escapeHtml(t("alerts.noneHelp"))}</p></div></div>`;
    return;
  }
  // The warning module's list (its shape is not fixed yet): show what it gives, generically.
  try {
    const body = await getJson(overview.alerts, { status: "open" });
    const alerts = Array.isArray(body.data) ? body.data : [];
    if (!alerts.length) {
      element.innerHTML = `<div class="empty-state" data-state="none"><div><b>${escapeHtml(t("alerts.empty"))}</b></div></div>`;
      return;
    }
    element.innerHTML = `<ul class="alert-list">${alerts.map((a) => `<li class="alert sev-${escapeHtml(a.severity || "")}">
      <b>${escapeHtml(a.station_name || a.station || a.mn || "")}</b> ${escapeHtml(a.parameter || a.param || "")}
      <span class="muted">${escapeHtml(beijingShort(a.opened_at || a.time))}</span> ${escapeHtml(a.status || "")}</li>`).join("")}</ul>`;
  } catch (err) {
    element.innerHTML = `<p class="error">${escapeHtml(t("alerts.error", { msg: err.message }))}</p>`;
  }
}

function selector(a) {
  if (a.stations) return t("sharing.selector.stations", { n: a.stations.length });
  if (a.river) return t("sharing.selector.river", { river: a.river });
  if (a.kind) return t("sharing.selector.kind", { kind: t(`kind.${a.kind}`) });
  return t("sharing.selector.all");
}

function agreementItem(a, names, catalogue) {
  const params = a.params ? a.params.map((p) => parameterName(catalogue, p)).join("、") : t("sharing.allParams");
  const facts = [
    selector(a),
    t("sharing.resolution", { r: t(`kindName.${a.resolution}`) }),
    t("sharing.delay", { d: durationText(a.delay) }),
    t("sharing.params", { p: params }),
  ];
  if (a.visible_stations !== undefined) facts.push(t("sharing.stations", { n: a.visible_stations }));
  if (a.until) facts.push(t("sharing.until", { t: beijingShort(a.until) }));
  const from = t("sharing.from", { owner: names[a.owner] || a.owner, grantee: names[a.grantee] || a.grantee });
  return `<li class="agreement" data-id="${a.id}">
    <div class="agreement-head"><b>${escapeHtml(t("sharing.agreement", { id: a.id, version: a.version }))}</b><span>${escapeHtml(from)}</span></div>
    <div class="agreement-facts">${facts.map((f) => `<span>${escapeHtml(f)}</span>`).join("")}</div>
    ${a.purpose ? `<div class="agreement-purpose muted">${escapeHtml(a.purpose)}</div>` : ""}</li>`;
}

export function renderSharing(element, overview) {
  const names = Object.fromEntries(overview.jurisdictions.map((j) => [j.code, jurisdictionName(j.code, j.name)]));
  const { received, granted } = overview.agreements;
  const me = overview.caller;
  const list = (items, none) =>
    items.length ? `<ul class="agreements">${items.map((a) => agreementItem(a, names, overview.parameters)).join("")}</ul>` : `<p class="muted">${escapeHtml(none)}</p>`;
  element.innerHTML = `<p class="you">${escapeHtml(t("sharing.you", { name: jurisdictionName(me.agency, me.agency_name), code: me.agency }))}</p>
    <h3>${escapeHtml(t("sharing.received"))}</h3>${list(received, t("sharing.noneReceived"))}
    <h3>${escapeHtml(t("sharing.granted"))}</h3>${list(granted, t("sharing.noneGranted"))}`;
}
