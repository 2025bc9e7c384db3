#!/usr/bin/env python3
"""Checks that a site is consistent, as a listener's app would find it:
feed.xml parses; every item's enclosure, transcripts and chapters are files
of the site, the enclosure exactly as long as the feed says; no visible
temporary file. Prints what is wrong and exits 1, else prints a summary.

  site_check.py SITE
"""
import os
import sys
import xml.etree.ElementTree as ET
from urllib.parse import urlparse, unquote

site = sys.argv[1]
problems = []
try:
    root = ET.parse(os.path.join(site, "feed.xml")).getroot()
except Exception as e:
    print(f"feed.xml does not parse: {e}")
    sys.exit(1)
base = (root.find("channel/{http://www.w3.org/2005/Atom}link").get("href")
        .rsplit("/", 1)[0] + "/")


def local(url):
    if not url.startswith(base):
        problems.append(f"{url} is not under {base}")
        return None
    return os.path.join(site, unquote(url[len(base):]))


items = root.findall("channel/item")
for item in items:
    title = item.findtext("title")
    enc = item.find("enclosure")
    path = local(enc.get("url"))
    if path and not os.path.isfile(path):
        problems.append(f"{title}: enclosure {path} is missing")
    elif path and os.path.getsize(path) != int(enc.get("length")):
        problems.append(f"{title}: enclosure is {os.path.getsize(path)} "
                        f"bytes, the feed says {enc.get('length')}")
    ns = "{https://podcastindex.org/namespace/1.0}"
    for side in item.findall(ns + "transcript") + item.findall(ns + "chapters"):
        p = local(side.get("url"))
        if p and not os.path.isfile(p):
            problems.append(f"{title}: {p} is missing")
for dirpath, _, files in os.walk(site):
    for f in files:
        if ".tmp-" in f and not f.startswith("."):
            problems.append(f"visible temporary file {os.path.join(dirpath, f)}")
for p in problems:
    print(p)
print(f"{len(items)} items, {len(problems)} problems")
sys.exit(1 if problems else 0)
