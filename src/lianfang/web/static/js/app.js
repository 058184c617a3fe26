// The dashboard: sign in with a token, then load /api/v1/dashboard/overview and /api/v1/latest every
// minute and draw the map, the station list, the summary, warnings and sharing panels.

import { AuthError, forgetToken, getJson, storedToken, storeToken, takeTokenFromFragment } from "./api.js";
import { closeDrawer, current as drawerState, openStation, resizeCharts } from "./detail.js";
import { beijingNow, escapeHtml, jurisdictionName } from "./format.js";
import { applyTranslations, initialLanguage, language, setLanguage, t } from "./i18n.js";
import { initMap, renderLegend, renderMap, resizeMap, setLayer } from "./map.js";
import { renderAlerts, renderSharing, renderSummary } from "./panels.js";
import { latestByStation, renderTable } from "./table.js";

const REFRESH_MS = 60 * 1000;
const $ = (id) => document.getElementById(id);

const state = {
  overview: null,
  latest: new Map(),
  kind: "water",
  filter: "",
  timer: null,
  mapReady: false,
};

// ---- sign-in ----------------------------------------------------------------------------------

function showLogin(message) {
  $("main").hidden = true;
  $("whoami").hidden = true;
  $("logout").hidden = true;
  $("sim-badge").hidden = true;
  closeDrawer($("drawer"));
  $("login").hidden = false;
  const error = $("login-error");
  error.hidden = !message;
  error.textContent = message || "";
  $("token-input").value = "";
  $("token-input").focus();
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

async function signIn(token) {
  try {
    await getJson("/api/v1/me", {}, token);
  } catch (err) {
    if (err instanceof AuthError) {
      forgetToken();
      showLogin(t("auth.bad"));
      return false;
    }
    throw err;
  }
  storeToken(token);
  $("login").hidden = true;
  return true;
}

// ---- rendering --------------------------------------------------------------------------------

function renderWho(overview) {
  const me = overview.caller;
  const who = $("whoami");
  who.hidden = false;
  who.innerHTML = `<b>${escapeHtml(t("who.agency", { name: jurisdictionName(me.agency, me.agency_name), code: me.agency }))}</b>
    <span class="muted">${escapeHtml(t("who.role", { role: t(`role.${me.role}`) }))}</span>`;
  who.title = `${me.name} (${me.token_id})`;
  $("logout").hidden = false;
  $("sim-badge").hidden = !overview.stations.some((s) => s.simulated);
  $("sim-badge").title = t("sim.title");
  $("updated").textContent = t("updated", { time: beijingNow(overview.now) });
}

function renderList() {
  renderTable($("station-table"), state.overview, state.latest, state.kind, state.filter, drawerState.mn);
}

function renderAll() {
  const overview = state.overview;
  if (!overview) return;
  renderWho(overview);
  renderMap(overview);
  renderLegend($("map-legend"), overview);
  $("map-note").textContent = t("map.note");
  renderSummary($("summary"), overview);
  renderAlerts($("alerts"), overview);
  renderSharing($("sharing"), overview);
  renderList();
}

function showFatal(err) {
  const box = $("fatal");
  box.hidden = false;
  box.innerHTML = `${escapeHtml(t("status.error", { msg: err.message || err }))} <button type="button" id="retry">${escapeHtml(t("status.retry"))}</button>`;
  $("retry").onclick = () => {
    box.hidden = true;
    refresh();
  };
}

async function refresh() {
  try {
    const [overview, latest] = await Promise.all([
      getJson("/api/v1/dashboard/overview"),
      getJson("/api/v1/latest", { kind: "hour" }),
    ]);
    state.overview = overview.data;
    state.latest = latestByStation(latest.data);
    $("main").hidden = false;
    $("fatal").hidden = true;
    if (!state.mapReady) {
      await initMap($("map"), pickStation);
      state.mapReady = true;
    }
    renderAll();
    resizeMap();
  } catch (err) {
    if (err instanceof AuthError) {
      forgetToken();
      showLogin(t("auth.expired"));
      return;
    }
    showFatal(err);
  }
}

function startRefreshing() {
  if (state.timer) clearInterval(state.timer);
  state.timer = setInterval(refresh, REFRESH_MS);
  return refresh();
}

function pickStation(mn, hours) {
  const station = state.overview && state.overview.stations.find((s) => s.mn === mn);
  if (!station) return;
  openStation($("drawer"), station, state.overview, hours).catch((err) => {
    if (err instanceof AuthError) showLogin(t("auth.expired"));
  });
  renderList();
}

// ---- wiring -----------------------------------------------------------------------------------

function switchLanguage(lang) {
  setLanguage(lang);
  for (const b of document.querySelectorAll(".lang-switch button")) b.classList.toggle("active", b.dataset.lang === language());
  applyTranslations();
  renderAll();
  if (drawerState.mn) pickStation(drawerState.mn, drawerState.hours);
  if (!$("login").hidden && !$("login-error").hidden) $("login-error").textContent = t("auth.bad");
}

function wire() {
  for (const b of document.querySelectorAll(".lang-switch button")) b.addEventListener("click", () => switchLanguage(b.dataset.lang));
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("token-input").value.trim();
    if (!token) return;
    if (await signIn(token)) await startRefreshing();
  });
  $("logout").addEventListener("click", () => {
    forgetToken();
    state.overview = null;
    showLogin("");
  });
  for (const b of document.querySelectorAll("#map-layers button")) {
    b.addEventListener("click", () => {
      for (const other of document.querySelectorAll("#map-layers button")) other.classList.toggle("active", other === b);
      setLayer(b.dataset.layer);
    });
  }
  for (const b of document.querySelectorAll("#list-tabs button")) {
    b.addEventListener("click", () => {
      for (const other of document.querySelectorAll("#list-tabs button")) other.classList.toggle("active", other === b);
      state.kind = b.dataset.kind;
      renderList();
    });
  }
  $("list-filter").addEventListener("input", (event) => {
    state.filter = event.target.value;
    renderList();
  });
  const table = $("station-table");
  table.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-mn]");
    if (row) pickStation(row.dataset.mn);
  });
  table.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr[data-mn]");
    if (row && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      pickStation(row.dataset.mn);
    }
  });
  for (const b of document.querySelectorAll("#range button")) {
    b.addEventListener("click", () => drawerState.mn && pickStation(drawerState.mn, Number(b.dataset.hours)));
  }
  $("drawer-close").addEventListener("click", () => {
    closeDrawer($("drawer"));
    renderList();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("drawer").hidden) {
      closeDrawer($("drawer"));
      renderList();
    }
  });
  window.addEventListener("resize", () => {
    resizeMap();
    resizeCharts();
  });
}

async function boot() {
  switchLanguage(initialLanguage());
  wire();
  const fromUrl = takeTokenFromFragment();
  const token = fromUrl || storedToken();
  if (!token) {
    showLogin("");
    return;
  }
  if (await signIn(token)) await startRefreshing();
}

boot().catch(showFatal);
