/* articast listening pages: reading along with the native <audio> player.
   The page works without this script: the audio, the text, the chapter
   links and one "play from" link per paragraph are plain HTML. The script
   marks the sentence being spoken (aria-current="true", never announced
   while it changes), seeks when a sentence or link is chosen, follows the
   reading unless the reader scrolls, and adds chapter and 10-second skips,
   a remembered speed and Media Session. It adds no keyboard shortcuts. */
(function () {
  "use strict";
  var d = document;

  /* The index: spell out the feed's address as this site serves it. */
  var feedUrl = d.getElementById("feed-url");
  if (feedUrl && feedUrl.hasAttribute("data-relative")) {
    try {
      feedUrl.textContent = new URL(feedUrl.textContent, location.href).href;
    } catch (e) { /* an old browser keeps the relative address */ }
  }

  var audio = d.getElementById("audio");
  if (!audio) return;

  function load(key) {
    try { return localStorage.getItem("articast." + key); } catch (e) { return null; }
  }
  function save(key, value) {
    try { localStorage.setItem("articast." + key, value); } catch (e) { /* private mode */ }
  }
  function all(selector) { return [].slice.call(d.querySelectorAll(selector)); }
  function startOf(el) { return parseFloat(el.getAttribute("data-start")); }

  /* Cue starts never decrease (the generator makes sure). */
  var sentences = all("#transcript .s[data-start]");
  var starts = sentences.map(startOf);
  var ends = sentences.map(function (el) { return parseFloat(el.getAttribute("data-end")); });
  var chapters = all("#chapters a[data-start]");
  var chapterStarts = chapters.map(startOf);
  var follow = d.getElementById("follow");
  var rate = d.getElementById("rate");
  var deck = d.getElementById("deck");
  var motion = window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)");
  var current = -1, currentChapter = -1, held = false, frame = 0;

  /* The last index whose start is at or before t (a seek lands on a
     start to within rounding), or -1. */
  function lastAtOrBefore(list, t) {
    var lo = 0, hi = list.length;
    t += 0.0005;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid] <= t) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  }

  function deckBottom() {
    return deck && getComputedStyle(deck).position === "sticky" ?
      deck.getBoundingClientRect().bottom : 0;
  }

  function visible(el) {
    var r = el.getBoundingClientRect(), h = window.innerHeight;
    return r.bottom > deckBottom() && r.top < h;
  }

  /* Brings the sentence into view when it leaves the comfortable middle
     of the window, while playing, unless the reader scrolled away. */
  function keepInView(el, force) {
    if (!follow || !follow.checked || held || (audio.paused && !force)) return;
    var r = el.getBoundingClientRect(), top = deckBottom(), h = window.innerHeight;
    var room = h - top;
    if (r.top >= top + room * 0.1 && r.bottom <= h - room * 0.25) return;
    el.scrollIntoView({ block: "center", behavior: motion && motion.matches ? "auto" : "smooth" });
  }

  function sync(reveal) {
    var t = audio.currentTime, i = lastAtOrBefore(starts, t);
    if (i >= 0 && !(t < ends[i])) i = -1; /* between sentences */
    if (i !== current) {
      if (current >= 0) sentences[current].removeAttribute("aria-current");
      current = i;
      if (i >= 0) {
        sentences[i].setAttribute("aria-current", "true");
        if (held && visible(sentences[i])) held = false; /* the reader is back */
        keepInView(sentences[i], reveal === true);
      }
    } else if (reveal === true && i >= 0) {
      keepInView(sentences[i], true);
    }
    var c = lastAtOrBefore(chapterStarts, t);
    if (c !== currentChapter) {
      if (currentChapter >= 0) chapters[currentChapter].removeAttribute("aria-current");
      currentChapter = c;
      if (c >= 0) chapters[c].setAttribute("aria-current", "true");
    }
  }

  function tick() {
    frame = 0;
    sync();
    if (!audio.paused && !audio.ended) frame = requestAnimationFrame(tick);
  }

  function play() {
    var started = audio.play();
    if (started && started.catch) started.catch(function () { /* refused: stays paused */ });
  }

  /* Moves to t seconds; plays when asked. A seek the reader asked for
     resumes following. */
  function seek(t, andPlay, reveal) {
    if (!(t >= 0)) t = 0;
    if (isFinite(audio.duration) && t > audio.duration) t = audio.duration;
    audio.currentTime = t;
    held = false;
    sync(reveal);
    if (andPlay) play();
  }

  function chapter(step) {
    if (!chapterStarts.length) return;
    var t = audio.currentTime, c = lastAtOrBefore(chapterStarts, t);
    var to = step > 0 ? c + 1 :
      c >= 0 && t - chapterStarts[c] > 3 ? c : c - 1; /* restart, or the one before */
    if (to >= chapterStarts.length) return;
    seek(chapterStarts[Math.max(to, 0)], false, true);
  }

  audio.addEventListener("play", function () {
    held = false;
    if (!frame) frame = requestAnimationFrame(tick);
  });
  ["timeupdate", "seeking", "seeked", "loadedmetadata", "pause", "ended", "emptied"]
    .forEach(function (type) { audio.addEventListener(type, function () { sync(); }); });

  /* Sentences: a click (or Enter from a screen reader's browse mode, which
     clicks) seeks and plays, unless the reader is selecting text. */
  sentences.forEach(function (el, i) {
    el.addEventListener("click", function () {
      if (window.getSelection && String(getSelection())) return;
      seek(starts[i], true);
    });
  });
  all("#transcript a.ts[data-start]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      seek(startOf(a), true);
    });
  });
  /* Chapter links keep their jump to the heading and seek without
     changing whether the audio plays. */
  chapters.forEach(function (a) {
    a.addEventListener("click", function () { seek(startOf(a), false); });
  });

  var controls = d.getElementById("controls");
  if (controls) controls.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button") : null;
    if (!b) return;
    if (b.hasAttribute("data-skip"))
      seek(audio.currentTime + parseFloat(b.getAttribute("data-skip")), false, true);
    else if (b.hasAttribute("data-chapter"))
      chapter(parseInt(b.getAttribute("data-chapter"), 10));
  });

  /* Speed, remembered across pages. The element resets its rate when it
     loads, so the default rate is set too. */
  if (rate) {
    var rates = [].map.call(rate.options, function (o) { return o.value; });
    var apply = function () {
      var r = parseFloat(rate.value);
      audio.defaultPlaybackRate = r;
      audio.playbackRate = r;
    };
    var saved = load("rate");
    if (saved && rates.indexOf(saved) >= 0) rate.value = saved;
    apply();
    rate.addEventListener("change", function () { apply(); save("rate", rate.value); });
    audio.addEventListener("ratechange", function () {
      var v = String(audio.playbackRate);
      if (rates.indexOf(v) >= 0 && rate.value !== v) { rate.value = v; save("rate", v); }
    });
  }

  /* Following stops when the reader scrolls (wheel, touch, scroll keys,
     the scroll bar) and resumes when they seek, press play or come back
     to the sentence being read. */
  if (follow) {
    if (load("follow") === "0") follow.checked = false;
    follow.addEventListener("change", function () {
      save("follow", follow.checked ? "1" : "0");
      held = false;
      if (follow.checked) sync(true);
    });
  }
  function hold() { if (!audio.paused) held = true; }
  var scrollKeys = { PageUp: 1, PageDown: 1, ArrowUp: 1, ArrowDown: 1, Home: 1, End: 1, " ": 1 };
  addEventListener("wheel", hold, { passive: true });
  addEventListener("touchmove", hold, { passive: true });
  d.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (scrollKeys[e.key] && !/^(INPUT|SELECT|TEXTAREA|BUTTON|AUDIO)$/.test(tag) &&
        !(e.target && e.target.isContentEditable)) hold();
  });
  d.addEventListener("mousedown", function (e) {
    if (e.target === d.documentElement) hold(); /* on the scroll bar */
  });

  /* On tall windows the player stays at the top; scrolling to a heading,
     a link or a focused control keeps clear of it. */
  function pad() {
    var sticky = deck && getComputedStyle(deck).position === "sticky";
    d.documentElement.style.scrollPaddingTop = sticky ? deck.offsetHeight + 8 + "px" : "";
  }
  pad();
  addEventListener("resize", pad);
  if (deck && window.ResizeObserver) new ResizeObserver(pad).observe(deck);

  /* Deep links seek without playing: #t=SECONDS, #t=MM:SS, #t=H:MM:SS
     (the Podlove convention), or #sN, a sentence. */
  function fromHash() {
    var h;
    try { h = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var m = /^t=([\d:.]+)/.exec(h);
    if (m) {
      var t = m[1].split(":").reduce(function (sum, part) { return sum * 60 + parseFloat(part); }, 0);
      if (isFinite(t)) seek(t, false);
    } else if (/^s\d+$/.test(h)) {
      var el = d.getElementById(h);
      if (el && el.classList.contains("s")) seek(startOf(el), false);
    }
  }
  fromHash();
  addEventListener("hashchange", fromHash);

  if ("mediaSession" in navigator) {
    var session = navigator.mediaSession;
    try {
      session.metadata = new MediaMetadata({
        title: audio.getAttribute("data-title") || d.title,
        artist: audio.getAttribute("data-artist") || "",
        album: audio.getAttribute("data-album") || ""
      });
    } catch (e) { /* no MediaMetadata */ }
    var actions = {
      play: play,
      pause: function () { audio.pause(); },
      seekbackward: function (x) { seek(audio.currentTime - (x && x.seekOffset || 10), false); },
      seekforward: function (x) { seek(audio.currentTime + (x && x.seekOffset || 10), false); },
      seekto: function (x) { if (x && x.seekTime >= 0) seek(x.seekTime, false); }
    };
    if (chapterStarts.length > 1) {
      actions.previoustrack = function () { chapter(-1); };
      actions.nexttrack = function () { chapter(1); };
    }
    Object.keys(actions).forEach(function (name) {
      try { session.setActionHandler(name, actions[name]); } catch (e) { /* unsupported */ }
    });
  }

  sync();
})();
