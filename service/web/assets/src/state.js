// View state lives in the URL: change it without reloading, and keep the language switch in step.

export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

export function setState(changes) {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  syncLanguageSwitch();
}

export function syncLanguageSwitch() {
  const link = document.getElementById("lang-switch");
  if (!link) return;
  const url = new URL(window.location.href);
  if (url.searchParams.get("lang") === "zh") url.searchParams.delete("lang");
  else url.searchParams.set("lang", "zh");
  link.setAttribute("href", url.pathname + url.search);
}

export function formatNumber(value, lang) {
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en", { maximumFractionDigits: 6 }).format(value);
}

export function compactNumber(value, lang) {
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en", { notation: "compact", maximumSignificantDigits: 4 })
    .format(value);
}
