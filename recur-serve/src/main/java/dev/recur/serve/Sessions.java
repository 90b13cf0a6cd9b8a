package dev.recur.serve;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open sessions by id: each holds a model's recurrent state between steps. Ids are 128 random bits in hex;
 * a session unused for {@code idle} expires; at most {@code max} are open at once.
 */
final class Sessions {
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> open = new ConcurrentHashMap<>();
    private final int max;
    private final long idleNanos;

    Sessions(int max, Duration idle) {
        this.max = max;
        this.idleNanos = idle.toNanos();
    }

    /**
     * A session: the model it runs; its state, which the model's batch thread reads and replaces; and its latest
     * step, which the next one waits for.
     */
    static final class Session {
        final ServedModel model;
        Object state;
        CompletableFuture<?> last = CompletableFuture.completedFuture(null);
        volatile long used = System.nanoTime();

        Session(ServedModel model, Object state) {
            this.model = model;
            this.state = state;
        }
    }

    /** Opens a session; 429 when {@code max} are open. */
    synchronized String open(ServedModel model, Object state) {
        expire();
        if (open.size() >= max) throw new ApiError(429, "too many open sessions (" + max + "); close some with DELETE /v1/sessions/{id}");
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        String id = HexFormat.of().formatHex(bits);
        open.put(id, new Session(model, state));
        return id;
    }

    /** The session {@code id}, marked used; 404 when unknown or expired. */
    Session get(String id) {
        expire();
        Session s = open.get(id);
        if (s == null) throw ApiError.notFound("no session \"" + id + "\"; it was never opened, was closed, or expired");
        s.used = System.nanoTime();
        return s;
    }

    void close(String id) {
        expire();
        if (open.remove(id) == null) throw ApiError.notFound("no session \"" + id + "\"; it was never opened, was closed, or expired");
    }

    int size() {
        expire();
        return open.size();
    }

    /** Drops the sessions idle for longer than allowed. */
    void expire() {
        long now = System.nanoTime();
        open.values().removeIf(s -> now - s.used > idleNanos);
    }
}
