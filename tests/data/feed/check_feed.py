"""Reads a feed with feedparser (the parser behind many podcast clients) and
prints what the test suite checks, one fact per line."""
import sys
import time

import feedparser

d = feedparser.parse(sys.argv[1])
if d.bozo:
    print("bozo", d.bozo_exception)
    sys.exit(1)
print("version", d.version)
print("title", d.feed.title)
print("image", d.feed.image.href)
print("category", d.feed.tags[0].term)
print("entries", len(d.entries))
for e in d.entries:
    enc = e.enclosures[0]
    print("entry", e.id, e.title)
    print("enclosure", enc.href, enc.length, enc.type)
    print("duration", e.itunes_duration)
    print("published", time.strftime("%Y-%m-%dT%H:%M:%SZ", e.published_parsed))
