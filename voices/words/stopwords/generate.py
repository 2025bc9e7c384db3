#!/usr/bin/env python3
"""Writes voices/words/stopwords/<lang>.txt from the npm package stopwords-iso.

Usage (from anywhere; the package stays outside the repository):

    npm install --prefix /tmp/sw stopwords-iso
    python3 voices/words/stopwords/generate.py /tmp/sw/node_modules/stopwords-iso

Each list keeps the package's entries that hold a letter and no space (the
clean stage matches single words; runs of Chinese, Japanese and Thai are
matched by prefix), in Unicode NFC and lower case, sorted, without
duplicates. Each file starts with a header naming the source, its version
and its licence.
"""
import json
import os
import sys
import unicodedata

# The most spoken languages that espeak-ng speaks, as far as stopwords-iso
# has a list for them (it has none for Telugu or Tamil). Norwegian is "no"
# (the stage reads nb and nn with it).
LANGUAGES = {
    "en": "English", "zh": "Chinese", "hi": "Hindi", "es": "Spanish",
    "fr": "French", "ar": "Arabic", "bn": "Bengali", "pt": "Portuguese",
    "ru": "Russian", "ur": "Urdu", "id": "Indonesian", "de": "German",
    "ja": "Japanese", "sw": "Swahili", "mr": "Marathi", "tr": "Turkish",
    "vi": "Vietnamese", "ko": "Korean", "it": "Italian", "fa": "Persian",
    "pl": "Polish", "uk": "Ukrainian", "nl": "Dutch", "ro": "Romanian",
    "el": "Greek", "cs": "Czech", "hu": "Hungarian", "sv": "Swedish",
    "fi": "Finnish", "no": "Norwegian", "he": "Hebrew", "th": "Thai",
}


def keep(word):
    return any(unicodedata.category(c)[0] == "L" for c in word) and not any(
        c.isspace() for c in word)


MIT_TEXT = """The stopword lists in this folder (<lang>.txt) come from the npm package
{name} {version}, licensed under the MIT licence:

Copyright (c) {author}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: generate.py PATH/TO/node_modules/stopwords-iso")
    pkg_dir = sys.argv[1]
    with open(os.path.join(pkg_dir, "package.json"), encoding="utf-8") as f:
        pkg = json.load(f)
    with open(os.path.join(pkg_dir, "stopwords-iso.json"), encoding="utf-8") as f:
        lists = json.load(f)
    out_dir = os.path.dirname(os.path.abspath(__file__))
    missing = [code for code in LANGUAGES if code not in lists]
    if missing:
        sys.exit("stopwords-iso has no list for: " + " ".join(missing))
    author = pkg["author"].split(" <")[0] if isinstance(pkg["author"], str) \
        else pkg["author"]["name"]
    with open(os.path.join(out_dir, "LICENSE"), "w", encoding="utf-8") as f:
        f.write(MIT_TEXT.format(name=pkg["name"], version=pkg["version"],
                                author=author))
    for code, name in LANGUAGES.items():
        words = sorted({unicodedata.normalize("NFC", w.strip()).lower()
                        for w in lists[code] if keep(w.strip())})
        path = os.path.join(out_dir, code + ".txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"# {name} stopwords: the npm package {pkg['name']} "
                    f"{pkg['version']} ({pkg['license']} licence), generated "
                    f"by generate.py.\n# Do not edit by hand: regenerate.\n")
            for w in words:
                f.write(w + "\n")
        print(f"{path}: {len(words)} words")


if __name__ == "__main__":
    main()
