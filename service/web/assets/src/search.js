// Search as you type over packages and indicators: English and Chinese names, ids, units.
import { readJSON, setState } from "./state.js";

function words(entry) {
  return [entry.id, entry.name_en, entry.name_zh, entry.unit, entry.package].join(" ").toLowerCase();
}

function item(entry, texts) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  const lang = texts.lang === "zh" ? "?lang=zh" : "";
  link.href = (entry.kind === "package" ? "/packages/" : "/indicators/") + encodeURIComponent(entry.id) + lang;
  const first = document.createElement("span");
  first.textContent = texts.lang === "zh" && entry.name_zh ? entry.name_zh : entry.name_en;
  const second = document.createElement("span");
  second.className = "other";
  second.lang = texts.lang === "zh" ? "en" : "zh-CN";
  second.textContent = " " + (texts.lang === "zh" ? entry.name_en : entry.name_zh);
  link.append(first, second);
  const meta = document.createElement("span");
  meta.className = "muted";
  meta.textContent = ` ${texts[entry.kind]} · ${entry.id}${entry.unit ? " · " + entry.unit : ""}`;
  li.append(link, meta);
  return li;
}

export function initSearch() {
  const input = document.getElementById("search");
  const list = document.getElementById("search-results");
  const none = document.getElementById("search-none");
  const count = document.getElementById("search-count");
  const index = readJSON("search-index") || [];
  const texts = readJSON("search-texts") || {};
  const haystack = index.map(words);
  const update = () => {
    const terms = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    list.replaceChildren();
    if (!terms.length) {
      list.hidden = true; none.hidden = true; count.textContent = "";
      setState({ q: null });
      return;
    }
    const found = index.filter((_, i) => terms.every((term) => haystack[i].includes(term)));
    list.append(...found.slice(0, 50).map((entry) => item(entry, texts)));
    list.hidden = found.length === 0;
    none.hidden = found.length !== 0;
    count.textContent = `${found.length} ${texts.matches}`;
    setState({ q: input.value });
  };
  input.addEventListener("input", update);
  update();
}
