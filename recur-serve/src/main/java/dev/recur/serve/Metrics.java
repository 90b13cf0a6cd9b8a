package dev.recur.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.IntSupplier;

/** Request counts, errors and latencies by route, in Prometheus' text format. */
final class Metrics {
    private static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Map<String, Route> routes = new ConcurrentSkipListMap<>();
    private final IntSupplier openSessions;

    Metrics(IntSupplier openSessions) {
        this.openSessions = openSessions;
    }

    private static final class Route {
        final AtomicLong requests = new AtomicLong(), errors = new AtomicLong();
        final AtomicLongArray buckets = new AtomicLongArray(BOUNDS.length);
        final DoubleAdder seconds = new DoubleAdder();
    }

    /** Counts one request to {@code route} ("POST /v1/models/{name}/predict") that took {@code seconds}. */
    void record(String route, int status, double seconds) {
        Route r = routes.computeIfAbsent(route, k -> new Route());
        r.requests.incrementAndGet();
        if (status >= 400) r.errors.incrementAndGet();
        r.seconds.add(seconds);
        for (int i = 0; i < BOUNDS.length; i++) if (seconds <= BOUNDS[i]) r.buckets.incrementAndGet(i);
    }

    String text() {
        var sb = new StringBuilder();
        sb.append("# HELP recur_requests_total Requests answered, by route.\n# TYPE recur_requests_total counter\n");
        routes.forEach((k, r) -> sb.append("recur_requests_total{route=\"").append(k).append("\"} ").append(r.requests.get()).append('\n'));
        sb.append("# HELP recur_errors_total Requests answered with a 4xx or 5xx status, by route.\n# TYPE recur_errors_total counter\n");
        routes.forEach((k, r) -> sb.append("recur_errors_total{route=\"").append(k).append("\"} ").append(r.errors.get()).append('\n'));
        sb.append("# HELP recur_request_seconds Time to answer a request, by route.\n# TYPE recur_request_seconds histogram\n");
        routes.forEach((k, r) -> {
            String label = "recur_request_seconds_bucket{route=\"" + k + "\",le=\"";
            for (int i = 0; i < BOUNDS.length; i++) sb.append(label).append(BOUNDS[i]).append("\"} ").append(r.buckets.get(i)).append('\n');
            sb.append(label).append("+Inf\"} ").append(r.requests.get()).append('\n');
            sb.append("recur_request_seconds_sum{route=\"").append(k).append("\"} ").append(String.format(Locale.ROOT, "%.6f", r.seconds.sum())).append('\n');
            sb.append("recur_request_seconds_count{route=\"").append(k).append("\"} ").append(r.requests.get()).append('\n');
        });
        sb.append("# HELP recur_open_sessions Sessions open now.\n# TYPE recur_open_sessions gauge\n");
        sb.append("recur_open_sessions ").append(openSessions.getAsInt()).append('\n');
        return sb.toString();
    }
}
