// Upgrades every static chart of the page to an interactive one (tooltips) when its scripts run;
// without scripts, or if anything fails, the static SVG stays. vl-convert bundles this file with
// Vega, Vega-Lite and vega-embed into the one script the page inlines (assemble.chart_library).
const localeNode = document.getElementById("chart-locale");
const formatLocale = localeNode ? JSON.parse(localeNode.textContent) : undefined;
for (const figure of document.querySelectorAll("figure.chart")) {
  const specNode = figure.querySelector("script.chart-spec");
  const live = figure.querySelector(".chart-live");
  const still = figure.querySelector(".chart-static");
  if (!specNode || !live || !still) continue;
  vegaEmbed(live, JSON.parse(specNode.textContent), {renderer: "svg", actions: false, formatLocale})
    .then(() => { live.hidden = false; still.hidden = true; figure.dataset.interactive = "true"; })
    .catch(() => { figure.dataset.interactive = "failed"; });
}
