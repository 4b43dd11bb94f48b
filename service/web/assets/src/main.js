// socsec pages: one small bundle; each page's part runs when its <body data-page> matches.
// Data comes from <script type="application/json"> blocks; nothing is evaluated, no inline script or style.
import { initSearch } from "./search.js";
import { initIndicator } from "./indicator.js";
import { initConsole } from "./console.js";

function autosubmit() {
  for (const select of document.querySelectorAll("select.autosubmit")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
}

function start() {
  autosubmit();
  const page = document.body.dataset.page;
  if (page === "home") initSearch();
  if (page === "indicator") initIndicator();
  if (page === "console") initConsole();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
