// Builds src/ into ../static/app.js and ../static/app.css (run by `make assets`: npm ci && npm run build).
import { build } from "esbuild";

const banner = "/*! socsec pages. Bundles uPlot 1.6.32, MIT licence, (c) Leon Sorokin, https://github.com/leeoniya/uPlot */";

await build({ entryPoints: ["src/main.js"], bundle: true, minify: true, format: "iife", target: "es2019",
  legalComments: "eof", banner: { js: banner }, outfile: "../static/app.js", logLevel: "info" });
await build({ entryPoints: ["src/site.css"], bundle: true, minify: true, banner: { css: banner },
  outfile: "../static/app.css", logLevel: "info" });
