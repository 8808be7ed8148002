package io.kafkalab.examples;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the HTTP API answered, by {@code Idempotency-Key}, for a while: a retried request with the same key and the
 * same body gets the first request's answer (waiting for it when the first is still in flight) instead of sending
 * again; the same key with another body is a conflict. Bounded in keys (the oldest go first) and in time (a key is
 * forgotten {@code window} after its first request). Thread safe.
 */
final class IdempotencyStore<R> {

    /** The outcome of {@link #claim}: either this request is the first (then {@code answer} is its to complete) or not. */
    record Claim<R>(boolean first, boolean conflict, CompletableFuture<R> answer) {
    }

    private record Entry<R>(byte[] bodyDigest, CompletableFuture<R> answer, long expiresAtMillis) {
    }

    private final int maxKeys;
    private final Duration window;
    private final Clock clock;
    private final LinkedHashMap<String, Entry<R>> entries = new LinkedHashMap<>();

    IdempotencyStore(int maxKeys, Duration window, Clock clock) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be >= 1, but was " + maxKeys);
        }
        this.maxKeys = maxKeys;
        this.window = window;
        this.clock = clock;
    }

    /**
     * Claims a key for a request.
     *
     * @param key        the request's Idempotency-Key
     * @param bodyDigest a digest of the request (method, path, query and body)
     * @return first: complete {@code answer} with this request's answer (also when it fails); not first and no
     *     conflict: answer with {@code answer} once it completes; conflict: the key was used for another request
     */
    synchronized Claim<R> claim(String key, byte[] bodyDigest) {
        long now = clock.millis();
        expire(now);
        Entry<R> e = entries.get(key);
        if (e != null) {
            boolean same = Arrays.equals(e.bodyDigest, bodyDigest);
            return new Claim<>(false, !same, e.answer);
        }
        while (entries.size() >= maxKeys) {
            Iterator<Map.Entry<String, Entry<R>>> oldest = entries.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
        CompletableFuture<R> answer = new CompletableFuture<>();
        entries.put(key, new Entry<>(bodyDigest.clone(), answer, now + window.toMillis()));
        return new Claim<>(true, false, answer);
    }

    /** Forgets a key, so that a retry sends again (for answers that say nothing was sent, such as 429). */
    synchronized void forget(String key, CompletableFuture<R> answer) {
        Entry<R> e = entries.get(key);
        if (e != null && e.answer == answer) {
            entries.remove(key);
        }
    }

    /** @return keys remembered now */
    synchronized int size() {
        expire(clock.millis());
        return entries.size();
    }

    private void expire(long now) {
        // insertion order is expiry order: every key lives the same window
        Iterator<Entry<R>> it = entries.values().iterator();
        while (it.hasNext() && it.next().expiresAtMillis <= now) {
            it.remove();
        }
    }
}
