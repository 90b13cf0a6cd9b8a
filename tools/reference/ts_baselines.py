#!/usr/bin/env python3
"""The baselines of the bundled time-series sets (data/SOURCES.md), recomputed from the shipped files.

    python3 tools/reference/ts_baselines.py                      # every set
    python3 tools/reference/ts_baselines.py sunspots sensors     # only these (folder names)

Forecasts are made from the values known at the forecast origin only; errors are over the test rows.
- sunspots: one step ahead on 1921-1987 (67 years). AR(p): y_t = c + a_1 y_{t-1} + ... + a_p y_{t-p}, least squares
  on the years t of 1700-1920 whose p lags lie in the file. Persistence: y_{t-1}.
- electricity: the last 14 days (672 half-hours) are the test; each test day is forecast 48 steps ahead from the
  previous midnight: the same half-hour a week earlier (336 back), a day earlier (48 back), and naive (the last value
  before the origin, 23:30, for all 48). MAPE and RMSE in MW.
- air-passengers: one origin, December 1958; the 24 months 1959-1960. Seasonal naive: the last observed year
  repeated (each month of 1959 and of 1960 forecast by that month of 1958). ARIMA(0,1,1)(0,1,1)[12] on the natural
  log of 1949-1958: exact Gaussian likelihood of the differenced series (innovations algorithm), maximised by
  Nelder-Mead; forecasts by the innovations algorithm, integrated back and exponentiated (no bias correction).
- births: one step ahead on each day of 1988 (test, 366 days) and 1987 (validation, 365): the value 1, 7 and 364 days
  earlier. MAPE.
- macro: one step ahead on 2005Q1-2009Q3 (19 quarters), RMSE per column. Random walk: the previous quarter's growth
  rate. VAR(2): each column regressed on an intercept and both lags of all three columns, least squares on the
  quarters 1959Q4-2004Q4 (the first two rows of the file only serve as lags).
- sensors: per mote, rows (from 0) 0-1499 train, 1500-1999 validation, 2000 onwards test. For row i >= 12 the
  deviation is the larger of |humidity_i - median| and |temperature_i - median|, each median over rows i-12..i-1
  (the mean of the middle two of the 12); rows 0-11 have no score. score = deviation / its 99th percentile over the
  mote's train rows (linear interpolation between order statistics); a row is flagged when its score exceeds 1.1 times
  the mote's largest validation score (that division therefore moves no flag). Point-wise precision, recall and F1
  over the test rows of the four motes pooled, label 1 positive; an event (a maximal run of label 1 within a mote)
  is detected when any of its rows is flagged.
Standard library only."""
import csv, gzip, itertools, math, statistics, sys


def read(folder):
    with gzip.open(f"data/{folder}/{folder}.csv.gz", "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def lstsq(rows, targets):
    """The b minimising |X b - y|, by Householder QR (X: a list of rows, more rows than columns, full rank)."""
    m, n = len(rows), len(rows[0])
    a = [list(map(float, row)) + [float(y)] for row, y in zip(rows, targets)]
    for k in range(n):
        norm = math.sqrt(sum(a[i][k] ** 2 for i in range(k, m)))
        alpha = -norm if a[k][k] > 0 else norm
        v = [a[i][k] for i in range(k, m)]
        v[0] -= alpha
        vv = sum(x * x for x in v)
        if vv == 0:
            continue
        for j in range(k, n + 1):
            s = 2 * sum(v[i - k] * a[i][j] for i in range(k, m)) / vv
            for i in range(k, m):
                a[i][j] -= s * v[i - k]
    b = [0.0] * n
    for k in reversed(range(n)):
        b[k] = (a[k][n] - sum(a[k][j] * b[j] for j in range(k + 1, n))) / a[k][k]
    return b


def mse(pairs):
    return sum((y - f) ** 2 for y, f in pairs) / len(pairs)


def mape(pairs):
    return 100 * sum(abs(y - f) / abs(y) for y, f in pairs) / len(pairs)


def sunspots():
    rows = read("sunspots")
    years, y = [int(r["year"]) for r in rows], [float(r["sunspots"]) for r in rows]
    test = [t for t, year in enumerate(years) if year >= 1921]
    print(f"sunspots: {len(y)} years {years[0]}-{years[-1]}, fit {years[0]}-1920, one step ahead on {len(test)} years")
    persistence = [(y[t], y[t - 1]) for t in test]
    print(f"  persistence   MSE {mse(persistence):.1f}  MAE {sum(abs(a - f) for a, f in persistence) / len(test):.2f}")
    for p in (2, 9):
        fit = range(p, test[0])
        b = lstsq([[1.0] + [y[t - j] for j in range(1, p + 1)] for t in fit], [y[t] for t in fit])
        pairs = [(y[t], b[0] + sum(b[j] * y[t - j] for j in range(1, p + 1))) for t in test]
        print(f"  AR({p})         MSE {mse(pairs):.1f}  MAE {sum(abs(a - f) for a, f in pairs) / len(test):.2f}")


def electricity():
    rows = read("electricity")
    d = [float(r["demand"]) for r in rows]
    start = len(d) - 14 * 48
    print(f"electricity: {len(d)} half-hours, test {rows[start]['time']} to {rows[-1]['time']} "
          f"({len(d) - start}), 48 steps from each midnight")
    methods = [("a week earlier", lambda t: d[t - 336]), ("a day earlier ", lambda t: d[t - 48]),
               ("naive         ", lambda t: d[t - (t - start) % 48 - 1])]   # the value at 23:30 before the origin
    for name, forecast in methods:
        pairs = [(d[t], forecast(t)) for t in range(start, len(d))]
        print(f"  {name}  MAPE {mape(pairs):.2f}%  RMSE {math.sqrt(mse(pairs)):.0f} MW")


def nelder_mead(f, x0, step=0.1, tolerance=1e-12, iterations=5000):
    points = [list(x0)] + [[x + (step if j == i else 0) for j, x in enumerate(x0)] for i in range(len(x0))]
    values = [f(p) for p in points]
    for _ in range(iterations):
        order = sorted(range(len(points)), key=values.__getitem__)
        points, values = [points[i] for i in order], [values[i] for i in order]
        if values[-1] - values[0] < tolerance:
            break
        centre = [sum(c) / (len(points) - 1) for c in zip(*points[:-1])]
        toward = lambda s: [c + s * (c - w) for c, w in zip(centre, points[-1])]
        reflected = toward(1)
        fr = f(reflected)
        if fr < values[0]:
            expanded = toward(2)
            fe = f(expanded)
            points[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            points[-1], values[-1] = reflected, fr
        else:
            contracted = toward(-0.5)
            fc = f(contracted)
            if fc < values[-1]:
                points[-1], values[-1] = contracted, fc
            else:
                points = [points[0]] + [[b + 0.5 * (x - b) for b, x in zip(points[0], p)] for p in points[1:]]
                values = [values[0]] + [f(p) for p in points[1:]]
    return points[0]


def innovations(psi, n):
    """Innovations algorithm (Brockwell and Davis, Proposition 5.2.2) for the MA process with coefficients psi
    (psi[0] = 1) and unit noise variance: theta[k] = {j: theta_kj} and the relative one-step variances v, k < n."""
    q = len(psi) - 1
    gamma = [sum(psi[i] * psi[i + h] for i in range(q + 1 - h)) for h in range(q + 1)]
    g = lambda h: gamma[h] if h <= q else 0.0
    theta, v = [{}], [g(0)]
    for k in range(1, n):
        theta.append({})
        for i in range(max(0, k - q), k):
            s = g(k - i) - sum(theta[i].get(i - j, 0.0) * theta[k].get(k - j, 0.0) * v[j]
                               for j in range(max(0, k - q), i))
            theta[k][k - i] = s / v[i]
        v.append(g(0) - sum(theta[k][k - j] ** 2 * v[j] for j in range(max(0, k - q), k)))
    return theta, v


def airline(theta1, theta12):
    psi = [0.0] * 14
    psi[0], psi[1], psi[12], psi[13] = 1.0, theta1, theta12, theta1 * theta12
    return psi


def one_step(w, theta):
    """The one-step predictions of w[0..n-1] from the innovations coefficients."""
    predicted = []
    for k in range(len(w)):
        predicted.append(sum(c * (w[k - j] - predicted[k - j]) for j, c in theta[k].items()))
    return predicted


def arima_airline(z, horizon):
    """ARIMA(0,1,1)(0,1,1)[12] fit to z by maximum likelihood; forecasts of z for 1..horizon; the coefficients."""
    w = [z[t] - z[t - 1] - z[t - 12] + z[t - 13] for t in range(13, len(z))]
    n = len(w)

    def minus_log_likelihood(p):   # up to constants, the noise variance concentrated out
        if max(abs(p[0]), abs(p[1])) >= 0.999:
            return math.inf
        theta, v = innovations(airline(*p), n)
        predicted = one_step(w, theta)
        s2 = sum((w[k] - predicted[k]) ** 2 / v[k] for k in range(n)) / n
        return n * math.log(s2) + sum(map(math.log, v))

    coefficients = nelder_mead(minus_log_likelihood, [0.0, 0.0])
    theta, _ = innovations(airline(*coefficients), n + horizon)
    e = [a - b for a, b in zip(w, one_step(w, theta[:n]))]
    future = list(z)
    for h in range(1, horizon + 1):   # P_n w_{n+h} = sum over j >= h of theta_{n+h-1,j} e_{n+h-j}
        wh = sum(c * e[n + h - 1 - j] for j, c in theta[n + h - 1].items() if j >= h)
        t = len(future)
        future.append(future[t - 1] + future[t - 12] - future[t - 13] + wh)
    return future[len(z):], coefficients


def air_passengers():
    rows = read("air-passengers")
    y = [float(r["passengers"]) for r in rows]
    origin = next(i for i, r in enumerate(rows) if r["month"] == "1959-01")
    test = y[origin:origin + 24]
    print(f"air-passengers: {len(y)} months, origin {rows[origin - 1]['month']}, {len(test)} months ahead")
    seasonal = [y[origin - 12 + h % 12] for h in range(24)]
    print(f"  seasonal naive              MAPE {mape(list(zip(test, seasonal))):.2f}%")
    logs, (t1, t12) = arima_airline([math.log(v) for v in y[:origin]], 24)
    print(f"  ARIMA(0,1,1)(0,1,1)[12] log MAPE {mape(list(zip(test, map(math.exp, logs)))):.2f}%"
          f"  (theta {t1:.4f}, seasonal theta {t12:.4f})")


def births():
    rows = read("births")
    y = [float(r["births"]) for r in rows]
    print(f"births: {len(y)} days {rows[0]['date']} to {rows[-1]['date']}, one step ahead")
    for year, split in (("1988", "test"), ("1987", "validation")):
        days = [t for t, r in enumerate(rows) if r["date"].startswith(year)]
        scores = [f"{lag} day{'s' * (lag > 1)} earlier {mape([(y[t], y[t - lag]) for t in days]):.2f}%"
                  for lag in (1, 7, 364)]
        print(f"  {split:10} {year} ({len(days)} days) MAPE: " + ", ".join(scores))


def macro():
    rows = read("macro")
    columns = ["realgdp", "realcons", "realinv"]
    y = [[float(r[c]) for c in columns] for r in rows]
    start = next(t for t, r in enumerate(rows) if r["quarter"] == "2005-01-01")
    test = range(start, len(y))
    print(f"macro: {len(y)} quarters {rows[0]['quarter']} to {rows[-1]['quarter']}, "
          f"one step ahead on {len(test)}; RMSE of {' / '.join(columns)}")
    walk = [math.sqrt(mse([(y[t][k], y[t - 1][k]) for t in test])) for k in range(3)]
    print("  random walk  " + " / ".join(f"{e:.3f}" for e in walk))
    regressors = lambda t: [1.0] + y[t - 1] + y[t - 2]
    fit = range(2, start)
    var = []
    for k in range(3):
        b = lstsq([regressors(t) for t in fit], [y[t][k] for t in fit])
        var.append(math.sqrt(mse([(y[t][k], sum(c * x for c, x in zip(b, regressors(t)))) for t in test])))
    print("  VAR(2)       " + " / ".join(f"{e:.3f}" for e in var))


def percentile(values, p):
    s = sorted(values)
    x = (len(s) - 1) * p / 100
    i = math.floor(x)
    return s[i] + (s[min(i + 1, len(s) - 1)] - s[i]) * (x - i)


def sensors():
    motes = {}
    for r in read("sensors"):
        motes.setdefault(int(r["mote_id"]), []).append(r)
    tp = fp = fn = 0
    events = []
    for mote, rows in sorted(motes.items()):
        x = [(float(r["humidity"]), float(r["temperature"])) for r in rows]
        label = [int(r["label"]) for r in rows]
        deviation = [None] * 12 + [
            max(abs(x[i][k] - statistics.median(x[j][k] for j in range(i - 12, i))) for k in (0, 1))
            for i in range(12, len(x))]
        scale = percentile(deviation[12:1500], 99)
        score = [None if d is None else d / scale for d in deviation]
        threshold = 1.1 * max(score[1500:2000])
        flag = [s is not None and s > threshold for s in score]
        for i in range(2000, len(x)):
            tp += flag[i] and label[i] == 1
            fp += flag[i] and label[i] == 0
            fn += not flag[i] and label[i] == 1
        i = 0
        for value, run in itertools.groupby(label):
            n = len(list(run))
            if value == 1:
                events.append(f"mote {mote} rows {i}-{i + n - 1} {'detected' if any(flag[i:i + n]) else 'missed'}")
            i += n
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"sensors: {len(motes)} motes, test rows 2000 onwards of each: {tp + fn} labelled 1, {tp + fp} flagged")
    print(f"  rolling median  precision {precision:.3f}  recall {recall:.3f}  "
          f"F1 {2 * precision * recall / (precision + recall):.3f}")
    print(f"  events: {'; '.join(events)}")


SETS = {"sunspots": sunspots, "electricity": electricity, "air-passengers": air_passengers, "births": births,
        "macro": macro, "sensors": sensors}

if __name__ == "__main__":
    for name in sys.argv[1:] or SETS:
        if name not in SETS:
            sys.exit(f"unknown set {name}; choose from {', '.join(SETS)}")
        SETS[name]()
