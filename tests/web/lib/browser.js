// Debian's Chromium under playwright-core, and what the tests share: the
// fixture site served over HTTP, every request recorded, axe-core.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");
const { serve } = require("./serve.js");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Flags verified on Debian 12 (see the project's design notes): no sandbox
// as root, no GPU, nothing of Chromium's own talking to the network, and
// playback without a sound device.
const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
  "--disable-quic", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
];

function siteDir() {
  const dir = process.env.ARTICAST_WEB_SITE;
  if (!dir || !fs.existsSync(path.join(dir, "index.html")))
    throw new Error("ARTICAST_WEB_SITE must name a site built by articast (run tests/web/run.sh)");
  return dir;
}

// Starts the server and the browser once per test file.
async function start() {
  const server = await serve(siteDir());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const foreign = [];   // requests that left the origin
  const errors = [];    // page errors and failed requests
  async function open(url, options = {}) {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, ...options });
    const page = await context.newPage();
    page.on("request", (r) => {
      const u = r.url();
      if (!u.startsWith(server.origin + "/") && !u.startsWith("data:")) foreign.push(u);
    });
    page.on("pageerror", (e) => errors.push(`${url}: ${e.message}`));
    page.on("requestfailed", (r) => {
      // A media element cancels its own range requests when it seeks.
      if (!/\.mp3$/.test(new URL(r.url()).pathname)) errors.push(`${r.url()}: ${r.failure().errorText}`);
    });
    page.on("response", (r) => { if (r.status() >= 400) errors.push(`${r.url()}: HTTP ${r.status()}`); });
    await page.goto(server.origin + url, { waitUntil: "load" });
    return { context, page };
  }
  async function stop() {
    await browser.close();
    await server.close();
  }
  return { server, browser, open, stop, foreign, errors };
}

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

// axe-core's violations on the page as "rule: target" lines (empty: none).
async function axeViolations(page) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate((tags) =>
    window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }), AXE_TAGS);
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} (${n.failureSummary.replace(/\s+/g, " ")})`));
}

// The browser's own parse of the page's WebVTT file: the oracle the
// page's sentence elements are checked against.
async function vttCues(page) {
  return page.evaluate(async () => {
    const track = [...document.getElementById("audio").textTracks].find((t) => t.kind === "captions");
    track.mode = "hidden";
    for (let i = 0; i < 200 && !(track.cues && track.cues.length); i++)
      await new Promise((r) => setTimeout(r, 25));
    return [...track.cues].map((c) => ({ id: c.id, start: c.startTime, end: c.endTime, text: c.text }));
  });
}

// Seeks to t and reports, after `seeked` and a frame, what the page marks.
async function seekAndRead(page, t) {
  return page.evaluate((time) => new Promise((resolve) => {
    const audio = document.getElementById("audio");
    audio.addEventListener("seeked", () => requestAnimationFrame(() => {
      const marked = [...document.querySelectorAll("#transcript [aria-current]")];
      resolve({ ids: marked.map((e) => e.id), text: marked.map((e) => e.textContent).join("|"), time: audio.currentTime });
    }), { once: true });
    audio.currentTime = time;
  }), t);
}

// The episode pages of the fixture site, from its index.
async function episodeLinks(page) {
  return page.$$eval(".episodes h3 a", (as) => as.map((a) => new URL(a.href).pathname));
}

function fold(s) { return s.replace(/\s+/g, " ").trim(); }

function xmlText(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

// The episodes of the site's feed.xml, in the feed's order: each item's
// title and the site paths ("/episodes/...") of its enclosure and its
// WebVTT transcript. The tests find an episode's files through the feed
// and the pages' own links, never by guessing their names.
function feedItems() {
  const xml = fs.readFileSync(path.join(siteDir(), "feed.xml"), "utf8");
  return xml.split("<item>").slice(1).map((item) => {
    const attr = (tag, name, where = "") => {
      const m = item.match(new RegExp(`<${tag}\\b[^>]*${where}[^>]*>`));
      const a = m && m[0].match(new RegExp(`\\s${name}="([^"]*)"`));
      return a ? xmlText(a[1]) : null;
    };
    const title = item.match(/<title>([^<]*)<\/title>/);
    const local = (u) => (u ? new URL(u).pathname : null);
    return {
      title: title ? xmlText(title[1]) : null,
      mp3: local(attr("enclosure", "url")),
      mp3Length: Number(attr("enclosure", "length")),
      vtt: local(attr("podcast:transcript", "url", 'type="text/vtt"')),
    };
  });
}

module.exports = { start, axeViolations, vttCues, seekAndRead, episodeLinks, fold, siteDir, feedItems, CHROMIUM };
