// Takes the README's picture of a listening page:
//   node tests/web/lib/screenshot.js SITE /episodes/PAGE.html OUT.png [SECONDS]
// The page is served as in the tests, sought to SECONDS (so a sentence and
// a chapter are marked) and shot in a 760 x 1150 window, light scheme.
"use strict";
const { chromium } = require("playwright-core");
const { serve } = require("./serve.js");
const { CHROMIUM } = require("./browser.js");

async function main([site, url, out, seconds = "45"]) {
  if (!site || !url || !out) throw new Error("usage: screenshot.js SITE /episodes/PAGE.html OUT.png [SECONDS]");
  const server = await serve(site);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--mute-audio"] });
  try {
    const context = await browser.newContext({ viewport: { width: 760, height: 1150 }, colorScheme: "light" });
    const page = await context.newPage();
    await page.goto(server.origin + url);
    await page.evaluate((t) => new Promise((resolve) => {
      const audio = document.getElementById("audio");
      audio.addEventListener("seeked", () => requestAnimationFrame(() => resolve()), { once: true });
      audio.currentTime = t;
    }), Number(seconds));
    // Scroll only as far as the marked sentence needs to show.
    await page.evaluate(() => {
      const marked = document.querySelector("#transcript [aria-current]");
      if (marked) marked.scrollIntoView({ block: "nearest", behavior: "instant" });
    });
    await page.waitForTimeout(300);
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
    await server.close();
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e.message);
  process.exit(1);
});
