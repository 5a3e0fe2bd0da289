// Walks the submission page as its people use it, in headless Chromium: the contributor opens
// their link, uploads a broken workbook, sees its problems, uploads the fixed one and submits it;
// the analyst opens their page, sees the organisation's submission, accepts it, starts a draft
// report, waits for its progress to finish and opens the draft. Every page on the way is opened
// in fi, sv and en and checked with axe-core (WCAG 2.1 A/AA, as check_report.mjs). Every request
// that would leave 127.0.0.1 is blocked and recorded, and so are console and page errors.
// Prints what it saw as JSON (also when a step fails: then "error" says which and why, exit 1).
// Usage: node check_serve.mjs BASE_URL CONTRIBUTOR_LINK ANALYST_LINK BROKEN.xlsx FIXED.xlsx ORGANISATION
// (SCREENSHOTS=DIR also saves each page as DIR/<page>-<lang>.png, to look at.)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [base, contributorLink, analystLink, brokenPath, fixedPath, organisation] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const LANGS = ["fi", "sv", "en"];
const DRAFT_TIMEOUT_MS = Number(process.env.DRAFT_TIMEOUT_MS || 150000);
const origin = new URL(base).origin;

const result = {
  visits: [], requests: [], consoleErrors: [], pageErrors: [], dialogs: [], steps: [], error: null,
};

function withLang(url, lang) {
  const parsed = new URL(url, base);
  parsed.searchParams.set("lang", lang);
  return parsed.href;
}

function step(name, details = {}) {
  result.steps.push({ name, url: page ? new URL(page.url()).pathname : "", ...details });
}

async function axeViolations() {
  // Evaluated through the browser's debugging protocol: the pages' policy (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => await window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  }));
  return axe.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}

// What a page shows, and what axe finds on it, as it stands now.
async function audit(name, lang, status) {
  const seen = await page.evaluate((own) => ({
    htmlLang: document.documentElement.lang,
    title: document.title,
    h1: [...document.querySelectorAll("h1")].map((h) => h.textContent.trim()),
    main: document.querySelectorAll("main").length,
    text: document.body.innerText,
    // links of this site that drop the chosen language (static files and the reports, each in its own, aside)
    linksWithoutLang: [...document.querySelectorAll("a[href]:not([hreflang])")]
      .map((a) => new URL(a.getAttribute("href"), location.href))
      .filter((u) => u.origin === own && !u.pathname.startsWith("/static/") && !u.searchParams.has("lang"))
      .map((u) => u.pathname),
  }), origin);
  result.visits.push({ name, lang, status, path: new URL(page.url()).pathname, ...seen, violations: await axeViolations() });
  if (process.env.SCREENSHOTS) {
    await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name.replaceAll(" ", "-")}-${lang || "own"}.png`, fullPage: true });
  }
}

// Opens the page at url in every language (the one the flow goes on in last) and audits each.
async function auditInEveryLanguage(name, url) {
  for (const lang of [...LANGS.filter((l) => l !== "fi"), "fi"]) {
    const response = await page.goto(withLang(url, lang), { waitUntil: "load" });
    await audit(name, lang, response ? response.status() : null);
  }
}

async function submitForm(formSelector) {
  const form = page.locator(formSelector);
  if ((await form.count()) !== 1) throw new Error(`expected one form ${formSelector}, found ${await form.count()}`);
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    form.locator("button[type=submit], input[type=submit], button:not([type])").first().click(),
  ]);
}

async function upload(link, path) {
  await page.goto(withLang(link, "fi"), { waitUntil: "load" });
  await page.setInputFiles("form input[type=file][name=workbook]", path);
  await submitForm("form:has(input[type=file][name=workbook])");
  const match = new URL(page.url()).pathname.match(/\/v\/(\d+)$/);
  if (!match) {
    const said = await page.evaluate(() => document.querySelector("main")?.innerText || document.body.innerText);
    throw new Error(`after an upload the page is ${page.url()}, not a version's page; it says: ${said}`);
  }
  return page.url();
}

async function fetchStatus(href) {
  const response = await page.request.get(new URL(href, page.url()).href);
  const body = await response.body();
  return {
    status: response.status(), type: response.headers()["content-type"] || "", size: body.length,
    zip: body.subarray(0, 2).toString("latin1") === "PK",
  };
}

async function waitForDraft(progressUrl) {
  const deadline = Date.now() + DRAFT_TIMEOUT_MS;
  let progress = null;
  while (Date.now() < deadline) {
    const response = await page.request.get(progressUrl);
    progress = response.ok() ? await response.json() : { httpStatus: response.status() };
    if (progress.state === "done" || progress.state === "failed") return progress;
    await page.waitForTimeout(1000);
  }
  throw new Error(`the draft did not finish in ${DRAFT_TIMEOUT_MS} ms: ${JSON.stringify(progress)}`);
}

// A browser with script turned off starts a draft and follows it with the page's refresh link.
async function draftWithoutScript(browser, draftUrl) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  await context.route("**/*", (route) => {
    if (new URL(route.request().url()).hostname === "127.0.0.1") return route.continue();
    result.requests.push(route.request().url());
    return route.abort();
  });
  const plain = await context.newPage();
  try {
    await plain.goto(withLang(draftUrl, "fi"), { waitUntil: "load" });
    await Promise.all([plain.waitForNavigation(), plain.locator("form[action*='/draft'] button").click()]);
    const refresh = "main a[href*='/draft?']";
    const sawProgress = (await plain.locator("progress").count()) === 1;
    let refreshes = 0;
    const deadline = Date.now() + DRAFT_TIMEOUT_MS;
    while ((await plain.locator(refresh).count()) && Date.now() < deadline) {
      await plain.waitForTimeout(1000);
      await Promise.all([plain.waitForNavigation(), plain.locator(refresh).first().click()]);
      refreshes += 1;
    }
    return { sawProgress, refreshes, reports: await plain.locator("a[href*='/draft/report/']").count() };
  } finally {
    await context.close();
  }
}

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
let page = null;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: false });
  page = await context.newPage();
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    if (new URL(url).hostname === "127.0.0.1") return route.continue();
    result.requests.push(url);
    return route.abort();
  });
  page.on("console", (msg) => { if (msg.type() === "error") result.consoleErrors.push(`${page.url()}: ${msg.text()}`); });
  page.on("pageerror", (err) => result.pageErrors.push(`${page.url()}: ${err}`));
  page.on("dialog", async (dialog) => { result.dialogs.push(dialog.message()); await dialog.dismiss(); });

  await auditInEveryLanguage("home", base + "/");

  // The contributor: their page, a broken workbook and its problems.
  await auditInEveryLanguage("contributor", contributorLink);
  const template = page.locator("a[href*='/template']").first();
  step("template", await fetchStatus(await template.getAttribute("href")));
  const brokenVersion = await upload(contributorLink, brokenPath);
  step("uploaded broken", { submitForms: await page.locator("form[action*='/submit']").count() });
  await auditInEveryLanguage("version with errors", brokenVersion);
  const annotated = page.locator("a[href*='/annotated']").first();
  step("annotated", (await annotated.count()) ? await fetchStatus(await annotated.getAttribute("href")) : { missing: true });

  // The fixed workbook, submitted.
  const fixedVersion = await upload(contributorLink, fixedPath);
  step("uploaded fixed", { submitForms: await page.locator("form[action*='/submit']").count() });
  await auditInEveryLanguage("version without errors", fixedVersion);
  await submitForm("form[action*='/submit']");
  step("submitted");
  await auditInEveryLanguage("version submitted", fixedVersion);
  await auditInEveryLanguage("contributor with versions", contributorLink);

  // The analyst: every organisation, the one that submitted, its acceptance.
  await auditInEveryLanguage("analyst", analystLink);
  const organisationLinks = await page.$$eval("a[href*='/o/']", (as) => as.map((a) => a.getAttribute("href")));
  const ownLink = organisationLinks.find((href) => new URL(href, base).pathname.endsWith(`/o/${organisation}`));
  step("analyst organisations", { links: organisationLinks.map((href) => new URL(href, base).pathname) });
  if (!ownLink) throw new Error(`the analyst's page has no link to ${organisation}'s page`);
  const organisationPage = new URL(ownLink, base).href;
  await auditInEveryLanguage("analyst organisation", organisationPage);
  await submitForm("form[action*='/accept']");
  step("accepted");
  await auditInEveryLanguage("analyst organisation accepted", organisationPage);

  // The draft report: started, followed to the end, opened.
  await page.goto(withLang(analystLink, "fi"), { waitUntil: "load" });
  const draftHref = await page.locator("main a[href*='/draft']").first().getAttribute("href");
  await auditInEveryLanguage("draft", new URL(draftHref, base).href);
  await submitForm("form[action*='/draft']");
  const progressPage = page.url();
  step("draft started");
  await audit("draft progress", "fi", 200);
  const progress = await waitForDraft(new URL(`${new URL(progressPage).pathname}/progress`, base).href);
  const live = await page.waitForSelector("a[href*='/draft/report/']", { timeout: 10000 }).then(() => true, () => false);
  step("draft finished", { progress, reportLinkAppearedWithoutReload: live });
  await auditInEveryLanguage("draft finished", progressPage);
  const reportHref = await page.$$eval("a[href*='/draft/report/']", (as) => as.map((a) => a.getAttribute("href")));
  const htmlReport = reportHref.find((href) => new URL(href, base).pathname.endsWith(".html"));
  if (!htmlReport) throw new Error(`no HTML report among the draft's links: ${JSON.stringify(reportHref)}`);
  const response = await page.goto(new URL(htmlReport, base).href, { waitUntil: "load" });
  await page.waitForFunction(
    () => [...document.querySelectorAll("figure.chart")].every((f) => f.dataset.interactive), null, { timeout: 30000 },
  ).catch(() => {});
  step("draft report charts", await page.$$eval("figure.chart", (figures) => ({
    total: figures.length, interactive: figures.filter((f) => f.dataset.interactive === "true").length,
  })));
  await audit("draft report", null, response ? response.status() : null);

  // Without script the draft page still works: build again, follow it with the refresh link.
  step("draft without script", await draftWithoutScript(context.browser(), new URL(draftHref, base).href));
} catch (err) {
  result.error = `${err && err.stack ? err.stack : err}`;
  result.errorAt = page ? page.url() : null;
} finally {
  await browser.close();
}
for (const visit of result.visits) if (visit.name === "draft report") delete visit.text;
console.log(JSON.stringify(result));
process.exitCode = result.error ? 1 : 0;
