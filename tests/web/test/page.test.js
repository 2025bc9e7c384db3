// The listening pages in a real browser (Debian's Chromium), over HTTP
// with byte ranges, against a site articast built from the fixtures in
// tests/web/fixtures (see ../run.sh). The WebVTT file, as Chromium parses
// it, is the oracle for the page's sentence elements.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { start, axeViolations, vttCues, seekAndRead, episodeLinks, fold, siteDir, feedItems } = require("../lib/browser.js");

let env;
let pages;        // episode page paths, newest first
let english, rtl; // the English article with headings, the Urdu one

before(async () => {
  env = await start();
  const { context, page } = await env.open("/");
  pages = await episodeLinks(page);
  await context.close();
  english = pages.find((p) => p.includes("footbridge"));
  rtl = pages.find((p) => p.includes("episode-"));
  assert.ok(english && rtl, `fixture pages missing: ${pages.join(", ")}`);
});

after(async () => {
  if (env) await env.stop();
});

async function cleanup(context) {
  await context.close();
}

test("seeking into any cue marks exactly that cue's sentence", async () => {
  for (const url of [english, rtl]) {
    const { context, page } = await env.open(url);
    const cues = await vttCues(page);
    assert.ok(cues.length >= 6, `${url}: only ${cues.length} cues`);
    const spans = await page.$$eval("#transcript .s", (els) => els.map((e) => e.id));
    assert.deepEqual(spans, cues.map((c) => c.id), `${url}: the page's sentences are not the WebVTT cues`);
    // The show's intro follows the title and its outro ends the episode
    // (tests/web/fixtures/phrases.tsv): sentences like the article's.
    const announced = await page.$$eval("#transcript .announcement .s", (els) => els.map((e) => e.id));
    assert.deepEqual(announced, [cues[1].id, cues[cues.length - 1].id], `${url}: the intro and the outro`);
    for (const cue of cues) {
      const got = await seekAndRead(page, (cue.start + cue.end) / 2);
      assert.deepEqual(got.ids, [cue.id], `${url} at ${got.time}`);
      assert.equal(fold(got.text), fold(cue.text));
      const times = await page.$eval(`#${cue.id}`, (e) => [+e.dataset.start, +e.dataset.end]);
      assert.ok(Math.abs(times[0] - cue.start) < 0.0005 && Math.abs(times[1] - cue.end) < 0.0005,
        `${cue.id}: page ${times} vs WebVTT ${cue.start}-${cue.end}`);
    }
    // Between two sentences (the pause after a paragraph), none is marked.
    const gap = cues.findIndex((c, i) => i + 1 < cues.length && cues[i + 1].start - c.end > 0.2);
    assert.ok(gap >= 0, "the fixture has a pause between cues");
    const between = await seekAndRead(page, (cues[gap].end + cues[gap + 1].start) / 2);
    assert.deepEqual(between.ids, []);
    await cleanup(context);
  }
});

test("playing moves the mark with the audio; a click on a sentence seeks there", async () => {
  const { context, page } = await env.open(english);
  const cues = await vttCues(page);
  const target = cues[1], next = cues[2];
  await page.click(`#${target.id}`);
  const t0 = await page.evaluate(() => document.getElementById("audio").currentTime);
  assert.ok(Math.abs(t0 - target.start) < 0.5, `click sought to ${t0}, want ${target.start}`);
  await page.waitForFunction((t) => {
    const a = document.getElementById("audio");
    return !a.paused && a.currentTime > t;
  }, next.start + 0.5, { timeout: 20000 });
  const state = await page.evaluate(() => {
    const a = document.getElementById("audio");
    const el = document.querySelector("#transcript [aria-current]");
    return { t: a.currentTime, id: el && el.id, start: el && +el.dataset.start, end: el && +el.dataset.end,
      chapter: !!document.querySelector("#chapters a[aria-current]") };
  });
  await page.evaluate(() => document.getElementById("audio").pause());
  assert.ok(state.id, "nothing marked while playing");
  assert.ok(state.start - 0.1 <= state.t && state.t < state.end + 0.1, JSON.stringify(state));
  assert.ok(state.chapter, "no chapter marked as current");
  await cleanup(context);
});

test("after the end, seeking back marks sentences again", async () => {
  const { context, page } = await env.open(english);
  const cues = await vttCues(page);
  await page.evaluate(() => new Promise((resolve) => {
    const a = document.getElementById("audio");
    a.addEventListener("ended", resolve, { once: true });
    a.currentTime = Math.max(a.duration - 0.4, 0);
    a.play();
  }));
  const got = await seekAndRead(page, (cues[2].start + cues[2].end) / 2);
  assert.deepEqual(got.ids, [cues[2].id]);
  await cleanup(context);
});

// Describes the focused element so the walk can say what it reached.
function describeFocus() {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const focusVisible = e.tagName === "AUDIO" || // Chromium draws the ring inside its controls
    (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
  return {
    key: e.id || e.getAttribute("href") || e.getAttribute("data-skip") || e.getAttribute("data-chapter") || e.tagName,
    tag: e.tagName, cls: e.className, focusVisible,
  };
}

test("the keyboard alone reaches and works every control, with visible focus", async () => {
  const { context, page } = await env.open(english);
  const reached = new Map();
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press("Tab");
    const f = await page.evaluate(describeFocus);
    if (f) reached.set(f.key, f);
  }
  for (const f of reached.values())
    assert.ok(f.focusVisible, `no visible focus on ${f.key}`);
  const expect = await page.evaluate(() => {
    const keys = ["audio", "-10", "10", "-1", "1", "rate", "follow", "#transcript-h"];
    for (const a of document.querySelectorAll("main a[href], header a[href], footer a[href]"))
      keys.push(a.getAttribute("href"));
    return keys;
  });
  for (const key of expect)
    assert.ok(reached.has(key), `Tab never reaches ${key}; reached ${[...reached.keys()].join(" ")}`);

  const audioTime = () => page.evaluate(() => document.getElementById("audio").currentTime);
  await page.focus('button[data-skip="10"]');
  await page.keyboard.press("Enter");
  assert.ok(await audioTime() >= 9.9, "Forward 10 seconds");
  await page.focus('button[data-skip="-10"]');
  await page.keyboard.press("Enter");
  assert.ok(await audioTime() < 0.1, "Back 10 seconds");
  await page.focus('button[data-chapter="1"]');
  await page.keyboard.press("Enter");
  const ch2 = await page.$eval('#chapters li:nth-child(2) a', (a) => +a.dataset.start);
  assert.ok(Math.abs(await audioTime() - ch2) < 0.01, "Next chapter");
  const focusedStart = await page.evaluate(() => {
    const a = document.querySelectorAll("#transcript a.ts")[2];
    a.focus();
    return +a.dataset.start;
  });
  await page.keyboard.press("Enter");
  assert.ok(Math.abs(await audioTime() - focusedStart) < 0.3, "a time link seeks");
  await page.evaluate(() => document.getElementById("audio").pause());
  await page.focus("#rate");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.getElementById("audio").playbackRate), 1.25);
  await page.focus("#follow");
  await page.keyboard.press("Space");
  assert.equal(await page.$eval("#follow", (c) => c.checked), false);
  await cleanup(context);
});

test("the speed and the follow setting carry over to other pages", async () => {
  const { context, page } = await env.open(english);
  await page.selectOption("#rate", "1.5");
  await page.uncheck("#follow");
  await page.goto(env.server.origin + rtl);
  assert.equal(await page.$eval("#rate", (s) => s.value), "1.5");
  assert.equal(await page.evaluate(() => document.getElementById("audio").playbackRate), 1.5);
  assert.equal(await page.$eval("#follow", (c) => c.checked), false);
  await cleanup(context);
});

test("names and roles", async () => {
  const { context, page } = await env.open(english);
  const tree = await page.locator("body").ariaSnapshot();
  for (const want of ['link "Skip to transcript"', 'button "Back 10 seconds"', 'button "Forward 10 seconds"',
    'button "Previous chapter"', 'button "Next chapter"', 'combobox "Speed"', 'checkbox "Follow along"',
    'navigation "Chapters"', 'navigation "More episodes"', 'link "Play from 0:03"', "heading", "main", "banner"])
    assert.ok(tree.includes(want), `no ${want} in\n${tree}`);
  assert.ok(!/aria-live|role="(application|listbox|grid)"/.test(await page.content()),
    "no live regions or widget roles on the transcript");
  assert.equal(await page.getAttribute("audio", "preload"), "metadata");
  assert.equal(await page.getAttribute("audio", "autoplay"), null);
  await cleanup(context);
});

test("axe-core finds no WCAG 2.2 A/AA violation", async () => {
  const runs = [];
  for (const colorScheme of ["light", "dark"])
    for (const reducedMotion of ["no-preference", "reduce"])
      for (const url of ["/", english, rtl])
        runs.push({ url, options: { colorScheme, reducedMotion } });
  for (const { url, options } of runs) {
    const { context, page } = await env.open(url, options);
    if (url !== "/") {
      // With a sentence and a chapter marked, so their contrast is checked.
      const cues = await vttCues(page);
      const got = await seekAndRead(page, (cues[4].start + cues[4].end) / 2);
      assert.equal(got.ids.length, 1);
      await page.focus("#transcript a.ts");
    }
    const found = await axeViolations(page);
    assert.deepEqual(found, [], `${url} ${JSON.stringify(options)}`);
    await cleanup(context);
  }
});

test("without JavaScript the audio, the text and the links are there", async () => {
  const feed = feedItems();
  for (const url of [english, rtl]) {
    const { context, page } = await env.open(url, { javaScriptEnabled: false });
    assert.equal(await page.locator("audio[controls]").count(), 1);
    assert.equal(await page.locator("#controls").isVisible(), false, "script-only controls show without script");
    // The episode's audio and WebVTT file as the page links them: the
    // feed's enclosure and transcript of the same episode.
    const links = await page.evaluate(() => ({
      title: document.querySelector("h1").textContent,
      mp3: document.querySelector("audio source").getAttribute("src"),
      vtt: document.querySelector('audio track[kind="captions"]').getAttribute("src"),
    }));
    const item = feed.find((i) => i.title === links.title);
    assert.ok(item, `${url}: no episode titled ${links.title} in the feed`);
    const onSite = (href) => new URL(href, env.server.origin + url).pathname;
    assert.equal(onSite(links.mp3), item.mp3, `${url}: the audio is not the feed's enclosure`);
    assert.equal(onSite(links.vtt), item.vtt, `${url}: the captions are not the feed's WebVTT transcript`);
    const text = fold(await page.locator("#transcript").innerText());
    const vtt = fs.readFileSync(path.join(siteDir(), decodeURIComponent(item.vtt)), "utf8");
    for (const block of vtt.split(/\n\n+/).slice(1)) {
      const lines = block.split("\n");
      const cue = fold(lines.slice(2).join(" ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
      assert.ok(text.includes(cue), `cue ${lines[0]} (${cue}) missing from the transcript`);
    }
    const chapters = await page.$$eval("#chapters a", (as) => as.map((a) => a.getAttribute("href")));
    assert.ok(chapters.length >= 2);
    for (const href of chapters)
      assert.equal(await page.locator(href).count(), 1, `chapter link ${href} goes nowhere`);
    const mp3 = links.mp3;
    assert.equal(await page.locator(`a[download][href="${mp3}"]`).count(), 1);
    const times = await page.$$eval("#transcript a.ts", (as) => as.map((a) => a.getAttribute("href")));
    assert.ok(times.length >= 2 && times.every((h) => h.startsWith(`${mp3}#t=`)), times.join(" "));
    await cleanup(context);
  }
});

test("right-to-left languages render right to left", async () => {
  const { context, page } = await env.open(rtl);
  const html = await page.evaluate(() => ({
    lang: document.documentElement.lang, dir: document.documentElement.dir,
    controls: [document.getElementById("controls").lang, document.getElementById("controls").dir],
  }));
  assert.deepEqual(html, { lang: "ur", dir: "rtl", controls: ["en", "ltr"] });
  // Every block of the transcript runs in its own language's direction:
  // the Urdu text right to left, the English paragraph (the sign on the
  // door, read by an English voice) left to right.
  const blocks = await page.$$eval("#transcript h3, #transcript p", (els) => els.map((e) => ({
    text: e.textContent.slice(0, 40), lang: e.closest("[lang]").lang, direction: getComputedStyle(e).direction,
  })));
  for (const b of blocks)
    assert.equal(b.direction, b.lang.startsWith("ur") ? "rtl" : "ltr", JSON.stringify(b));
  assert.ok(blocks.some((b) => b.lang === "ur") && blocks.some((b) => b.lang === "en"), JSON.stringify(blocks));
  const announcements = await page.$$eval("#transcript .announcement", (els) =>
    els.map((e) => [e.closest("[lang]").lang, getComputedStyle(e).direction]));
  assert.deepEqual(announcements, [["ur", "rtl"], ["ur", "rtl"]], "the Urdu intro and outro");
  const en = await env.open(english);
  assert.equal(await en.page.evaluate(() => document.documentElement.dir), "ltr");
  await en.context.close();
  await cleanup(context);
});

test("follow-along scrolls with the audio and stops when the reader scrolls", async () => {
  const { context, page } = await env.open(english, { viewport: { width: 360, height: 640 }, reducedMotion: "reduce" });
  const cues = await vttCues(page);
  const last = cues[cues.length - 1];
  const inView = (id) => page.$eval(`#${id}`, (e) => {
    const r = e.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight;
  });
  await page.evaluate(() => window.scrollTo(0, 0));
  assert.equal(await inView(last.id), false, "the last sentence starts out of view");
  await page.evaluate((t) => { const a = document.getElementById("audio"); a.currentTime = t; a.play(); }, last.start - 0.3);
  await page.waitForFunction((id) => document.getElementById(id).getAttribute("aria-current"), last.id);
  await page.waitForTimeout(100);
  assert.equal(await inView(last.id), true, "follow-along did not bring the sentence into view");
  // The reader scrolls away: the page stays where they put it.
  await page.evaluate(() => document.getElementById("audio").pause());
  const before = cues[cues.length - 3];
  await page.evaluate((t) => { const a = document.getElementById("audio"); a.currentTime = t; a.play(); }, before.start + 0.05);
  await page.mouse.move(100, 300);
  await page.mouse.wheel(0, -5000);
  await page.waitForTimeout(200);
  const y = await page.evaluate(() => scrollY);
  await page.waitForFunction((id) => document.getElementById(id).getAttribute("aria-current"), cues[cues.length - 2].id);
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => scrollY), y, "follow-along scrolled after the reader scrolled");
  await page.evaluate(() => document.getElementById("audio").pause());
  await cleanup(context);
});

test("a #t= link seeks without playing; Media Session knows the episode", async () => {
  const { context, page } = await env.open(`${english}#t=0:12.5`);
  await page.waitForFunction(() => document.getElementById("audio").readyState >= 1);
  const s = await page.evaluate(() => ({
    t: document.getElementById("audio").currentTime, paused: document.getElementById("audio").paused,
    title: navigator.mediaSession.metadata && navigator.mediaSession.metadata.title,
    h1: document.querySelector("h1").textContent,
  }));
  assert.ok(Math.abs(s.t - 12.5) < 0.01 && s.paused, JSON.stringify(s));
  assert.equal(s.title, s.h1);
  await cleanup(context);
});

test("the index lists the episodes newest first, with what a listener needs", async () => {
  const feed = feedItems();
  const { context, page } = await env.open("/");
  const items = await page.$$eval(".episodes article", (as) => as.map((a) => ({
    date: a.querySelector("time").getAttribute("datetime"),
    title: a.querySelector("h3 a").textContent,
    link: a.querySelector("h3 a").getAttribute("href"),
    mp3: a.querySelector("a[download]").getAttribute("href"),
    name: a.querySelector("a[download]").textContent,
  })));
  assert.equal(items.length, 3);
  const dates = items.map((i) => i.date);
  assert.deepEqual(dates, [...dates].sort().reverse());
  for (const i of items) {
    assert.ok(/^episodes\/[a-z0-9-]+\.html$/.test(i.link), JSON.stringify(i));
    // The download is the feed's enclosure of the same episode, its size
    // the enclosure's length.
    const item = feed.find((f) => f.title === i.title);
    assert.ok(item, `no episode titled ${i.title} in the feed`);
    assert.equal(new URL(i.mp3, env.server.origin + "/").pathname, item.mp3, JSON.stringify(i));
    assert.equal(i.name, `Download MP3 (${Math.floor((item.mp3Length + 500) / 1000)} kB): ${i.title}`);
    // The episode's page plays the same file.
    const { context: c, page: p } = await env.open("/" + i.link);
    const src = await p.evaluate(() => document.querySelector("audio source").src);
    assert.equal(new URL(src).pathname, item.mp3, `${i.link} plays another file than the index offers`);
    await c.close();
  }
  assert.equal(await page.$eval("#feed-url", (c) => c.textContent), "http://127.0.0.1:8000/feed.xml");
  assert.equal(await page.title(), "Read & Listen <test show>");
  await cleanup(context);
});

test("at 320 CSS pixels nothing needs scrolling sideways", async () => {
  for (const url of ["/", english, rtl]) {
    const { context, page } = await env.open(url, { viewport: { width: 320, height: 640 } });
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(widths[0] <= widths[1], `${url}: ${widths[0]} px wide in a ${widths[1]} px window`);
    await cleanup(context);
  }
});

test("in forced colours the marked sentence keeps a visible outline", async () => {
  const { context, page } = await env.open(english, { forcedColors: "active" });
  const cues = await vttCues(page);
  await seekAndRead(page, (cues[1].start + cues[1].end) / 2);
  const style = await page.$eval(`#${cues[1].id}`, (e) => getComputedStyle(e).outlineStyle);
  assert.equal(style, "solid");
  await cleanup(context);
});

test("all script and style of a page fit in 20 KB gzipped", async () => {
  for (const url of ["/", english]) {
    const { context, page } = await env.open(url);
    const parts = await page.evaluate(() => ({
      files: [...document.querySelectorAll('script[src], link[rel="stylesheet"]')].map((e) => new URL(e.src || e.href).pathname),
      inline: [...document.querySelectorAll("script:not([src]), style")].map((e) => e.textContent),
    }));
    let total = 0;
    const sizes = {};
    for (const file of parts.files) {
      const bytes = fs.readFileSync(path.join(siteDir(), file));
      sizes[file] = zlib.gzipSync(bytes, { level: 9 }).length;
      total += sizes[file];
    }
    for (const text of parts.inline) total += zlib.gzipSync(Buffer.from(text), { level: 9 }).length;
    assert.ok(total <= 20 * 1024, `${url}: ${total} bytes`);
    for (const [file, size] of Object.entries(sizes))
      assert.ok(size <= (file.endsWith(".js") ? 10 : 8) * 1024, `${file}: ${size} bytes gzipped`);
    console.log(`# ${url}: script and style ${total} bytes gzipped (${JSON.stringify(sizes)})`);
    await cleanup(context);
  }
});

test("no request left the origin and none failed", async () => {
  // Every page, played for a moment, on top of what the tests above did.
  for (const url of ["/", ...pages]) {
    const { context, page } = await env.open(url);
    if (url !== "/") {
      await page.click("#transcript .s");
      await page.waitForFunction(() => document.getElementById("audio").currentTime > 1);
    }
    await cleanup(context);
  }
  assert.deepEqual(env.foreign, []);
  assert.deepEqual(env.errors, []);
});
