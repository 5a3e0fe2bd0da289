// Opens a report in headless Chromium with every network request blocked, waits for the
// charts, runs axe-core (WCAG 2.1 A/AA rules) and prints what it found as JSON.
// Usage: node check_report.mjs REPORT.html [--script-injection]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [report] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const result = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
try {
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    result.requests.push(url);
    return route.abort();
  });
  page.on("console", (msg) => { if (msg.type() === "error") result.consoleErrors.push(msg.text()); });
  page.on("pageerror", (err) => result.pageErrors.push(String(err)));
  page.on("dialog", async (dialog) => { result.dialogs.push(dialog.message()); await dialog.dismiss(); });
  await page.goto(pathToFileURL(report).href, { waitUntil: "load" });
  await page.waitForFunction(
    () => [...document.querySelectorAll("figure.chart")].every((f) => f.dataset.interactive),
    null, { timeout: 60000 },
  ).catch(() => {});
  result.figures = await page.$$eval("figure.chart", (figures) => figures.map((f) => ({
    interactive: f.dataset.interactive || "",
    liveSvg: !!f.querySelector(".chart-live svg"),
    staticSvg: !!f.querySelector(".chart-static svg[role=img][aria-label]"),
    dataTable: !!f.querySelector("details.chart-data table"),
    title: f.querySelector("figcaption strong")?.textContent || "",
  })));
  result.lang = await page.$eval("html", (el) => el.lang);
  result.headings = await page.$$eval("h1, h2, h3, h4", (hs) => hs.map((h) => Number(h.tagName[1])));
  result.injected = await page.evaluate(() => ({
    flag: window.__injected === true,
    elements: document.querySelectorAll("[data-injected], img[src='x'], iframe").length,
  }));
  // A tooltip: hover the first bar of the first interactive chart.
  const mark = await page.$("figure.chart .chart-live g.mark-rect path");
  if (mark) {
    await mark.scrollIntoViewIfNeeded();
    const box = await mark.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForTimeout(300);
    result.tooltip = await page.evaluate(() => document.querySelector("#vg-tooltip-element")?.textContent || "");
  }
  await page.addScriptTag({ content: axeSource });
  const axe = await page.evaluate(async () => await window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  }));
  result.violations = axe.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
  result.passes = axe.passes.length;
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
