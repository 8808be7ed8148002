package io.kafkalab.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * The workload of parallel-consumer's published table (its README, "Illustrative Performance Example"): records in
 * one partition, each handled in a time uniform in 0-5 ms, at most {@link #CONCURRENCY} in flight, under each
 * ordering. Everything here is a pure function of the offset, so every variant and both libraries get exactly the
 * same work, and the physical bound of a run can be computed before it starts.
 *
 * <p>Record {@code i} of a topic filled by {@link ParallelBench} has offset {@code i} (one partition, one
 * idempotent producer), key {@link #key(long) key(i)} and handler time {@link #handlerNanos(long)
 * handlerNanos(i)}.
 *
 * @param ordering  what may run at once
 * @param keys      distinct keys, assigned round-robin by offset (the published PARTITION and UNORDERED rows
 *                  used 20, which do not matter to them)
 * @param published parallel-consumer's published time in seconds for 10 000 records
 */
record ParallelWorkload(Order ordering, int keys, double published) {

    /** Records in flight at most, for both libraries (parallel-consumer's {@code maxConcurrency}). */
    static final int CONCURRENCY = 100;

    /** Records in the published table. */
    static final int PUBLISHED_RECORDS = 10_000;

    /** The longest handler time, in nanoseconds. */
    static final long MAX_HANDLER_NANOS = 5_000_000;

    private static final long SEED = 0x5EED_2026_1201L;

    /** The three orderings, the same in both libraries. */
    enum Order {
        /** One record of the partition at a time, in offset order. */
        PARTITION,
        /** One record of a key at a time, in offset order; keys run at once. */
        KEY,
        /** Any record at any time. */
        UNORDERED
    }

    /** The rows of the published table that the bench repeats, in its order. */
    static final List<ParallelWorkload> PUBLISHED = List.of(
            new ParallelWorkload(Order.PARTITION, 20, 22.221),
            new ParallelWorkload(Order.KEY, 1, 26.743),
            new ParallelWorkload(Order.KEY, 10, 3.310),
            new ParallelWorkload(Order.KEY, 100, 2.178),
            new ParallelWorkload(Order.KEY, 10_000, 2.128),
            new ParallelWorkload(Order.UNORDERED, 20, 2.829));

    ParallelWorkload {
        Objects.requireNonNull(ordering, "ordering");
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be >= 1, but was " + keys);
        }
    }

    /** The workload's name in the report: {@code PARTITION}, {@code KEY 100 keys}, {@code UNORDERED}. */
    String label() {
        return ordering == Order.KEY ? "KEY " + keys + (keys == 1 ? " key" : " keys") : ordering.name();
    }

    /** The key of the record at {@code offset}. */
    String key(long offset) {
        return "k" + offset % keys;
    }

    /** The handler time of the record at {@code offset}: uniform in [0, 5 ms], the same in every run. */
    static long handlerNanos(long offset) {
        return new SplittableRandom(SEED + offset).nextLong(MAX_HANDLER_NANOS + 1);
    }

    /** The summed handler time of offsets {@code 0 .. records - 1}. */
    static long totalNanos(int records) {
        long total = 0;
        for (long o = 0; o < records; o++) {
            total += handlerNanos(o);
        }
        return total;
    }

    /**
     * The physical bound of a run over offsets {@code 0 .. records - 1}: no library can finish sooner than the
     * summed handler time spread over {@link #CONCURRENCY} workers, nor sooner than the busiest ordering group
     * runs alone (for {@code PARTITION} the whole partition, for {@code KEY} the busiest key, for
     * {@code UNORDERED} the longest single record); the larger of the two.
     *
     * @return seconds
     */
    double boundSeconds(int records) {
        long total = totalNanos(records);
        long busiest = switch (ordering) {
            case PARTITION -> total;
            case KEY -> busiestKeyNanos(records);
            case UNORDERED -> LongStream.range(0, records).map(ParallelWorkload::handlerNanos).max()
                    .orElse(0);
        };
        return Math.max((double) total / CONCURRENCY, busiest) / 1e9;
    }

    private long busiestKeyNanos(int records) {
        long[] perKey = new long[keys];
        for (long o = 0; o < records; o++) {
            perKey[(int) (o % keys)] += handlerNanos(o);
        }
        return Arrays.stream(perKey).max().orElse(0);
    }
}
