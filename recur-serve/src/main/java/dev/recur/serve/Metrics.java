package dev.recur.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.IntSupplier;

/** Request counts, errors and latencies by route, and batch sizes by model, in Prometheus' text format. */
final class Metrics {
    private static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private static final int[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final Map<String, Route> routes = new ConcurrentSkipListMap<>();
    private final Map<String, Batches> batches = new ConcurrentSkipListMap<>();
    private final IntSupplier openSessions;

    Metrics(IntSupplier openSessions) {
        this.openSessions = openSessions;
    }

    private static final class Route {
        final AtomicLong requests = new AtomicLong(), errors = new AtomicLong();
        final AtomicLongArray buckets = new AtomicLongArray(BOUNDS.length);
        final DoubleAdder seconds = new DoubleAdder();
    }

    private static final class Batches {
        final AtomicLong count = new AtomicLong(), sequences = new AtomicLong();
        final AtomicLongArray buckets = new AtomicLongArray(SIZES.length);
    }

    /** Counts one batch of {@code size} sequences run by {@code model}. */
    void batch(String model, int size) {
        Batches b = batches.computeIfAbsent(model, k -> new Batches());
        b.count.incrementAndGet();
        b.sequences.addAndGet(size);
        for (int i = 0; i < SIZES.length; i++) if (size <= SIZES[i]) b.buckets.incrementAndGet(i);
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
        sb.append("# HELP recur_batch_size Sequences run together in one batch, by model.\n# TYPE recur_batch_size histogram\n");
        batches.forEach((k, b) -> {
            String label = "recur_batch_size_bucket{model=\"" + k + "\",le=\"";
            for (int i = 0; i < SIZES.length; i++) sb.append(label).append(SIZES[i]).append("\"} ").append(b.buckets.get(i)).append('\n');
            sb.append(label).append("+Inf\"} ").append(b.count.get()).append('\n');
            sb.append("recur_batch_size_sum{model=\"").append(k).append("\"} ").append(b.sequences.get()).append('\n');
            sb.append("recur_batch_size_count{model=\"").append(k).append("\"} ").append(b.count.get()).append('\n');
        });
        sb.append("# HELP recur_open_sessions Sessions open now.\n# TYPE recur_open_sessions gauge\n");
        sb.append("recur_open_sessions ").append(openSessions.getAsInt()).append('\n');
        return sb.toString();
    }
}
