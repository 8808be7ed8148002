package io.kafkalab.segment;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Limits and hooks of a {@link Reassembler}. Immutable; build with {@link #custom()} or take
 * {@link #ofDefaults()}.
 *
 * @param maxBufferedBytes  bytes of incomplete messages held at most (each one's declared size, or
 *                          {@value Reassembler#SEGMENT_OVERHEAD_BYTES} per segment received if that is more, plus
 *                          the segments received ahead of their turn); the oldest incomplete message is evicted
 *                          beyond it
 * @param maxMessageBytes   largest message accepted; a message claiming more is dropped as TOO_LARGE before
 *                          anything is allocated for it
 * @param maxSegmentCount   most segments a message may claim
 * @param maxAge            an incomplete message older than this (by {@code clock}) expires
 * @param maxOffsetDistance an incomplete message whose first segment is this many offsets behind the newest
 *                          record of its partition expires
 * @param clock             the time for {@code maxAge}
 * @param progress          sees every segment that arrives; must be quick
 */
public record ReassemblyConfig(long maxBufferedBytes, long maxMessageBytes, int maxSegmentCount, Duration maxAge,
                               long maxOffsetDistance, Clock clock, Consumer<SegmentProgress> progress) {

    /** Default {@code maxBufferedBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L * 1024 * 1024;
    /** Default {@code maxSegmentCount}. */
    public static final int DEFAULT_MAX_SEGMENT_COUNT = 100_000;
    /** Default {@code maxAge}: 5 minutes. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);
    /** Default {@code maxOffsetDistance}. */
    public static final long DEFAULT_MAX_OFFSET_DISTANCE = 100_000;

    /** Validates, naming the field and the bad value. */
    public ReassemblyConfig {
        if (maxBufferedBytes < 1) {
            throw new IllegalArgumentException("maxBufferedBytes must be >= 1, but was " + maxBufferedBytes);
        }
        if (maxMessageBytes < 0 || maxMessageBytes > maxBufferedBytes || maxMessageBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxMessageBytes must be between 0 and maxBufferedBytes ("
                    + maxBufferedBytes + ", and at most " + (Integer.MAX_VALUE - 8) + "), but was " + maxMessageBytes);
        }
        if (maxSegmentCount < 1) {
            throw new IllegalArgumentException("maxSegmentCount must be >= 1, but was " + maxSegmentCount);
        }
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be > 0, but was " + maxAge);
        }
        if (maxOffsetDistance < 1) {
            throw new IllegalArgumentException("maxOffsetDistance must be >= 1, but was " + maxOffsetDistance);
        }
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(progress, "progress");
    }

    /** @return 64 MiB buffer and messages, 100 000 segments, 5 minutes, 100 000 offsets, system clock */
    public static ReassemblyConfig ofDefaults() {
        return custom().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder custom() {
        return new Builder();
    }

    /** Builds a {@link ReassemblyConfig}. Not thread safe. */
    public static final class Builder {
        private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
        private Long maxMessageBytes;
        private int maxSegmentCount = DEFAULT_MAX_SEGMENT_COUNT;
        private Duration maxAge = DEFAULT_MAX_AGE;
        private long maxOffsetDistance = DEFAULT_MAX_OFFSET_DISTANCE;
        private Clock clock = Clock.systemUTC();
        private Consumer<SegmentProgress> progress = p -> { };

        private Builder() {
        }

        /** @param bytes see {@link ReassemblyConfig#maxBufferedBytes()} @return this */
        public Builder maxBufferedBytes(long bytes) {
            this.maxBufferedBytes = bytes;
            return this;
        }

        /** @param bytes see {@link ReassemblyConfig#maxMessageBytes()}; defaults to maxBufferedBytes @return this */
        public Builder maxMessageBytes(long bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /** @param count see {@link ReassemblyConfig#maxSegmentCount()} @return this */
        public Builder maxSegmentCount(int count) {
            this.maxSegmentCount = count;
            return this;
        }

        /** @param age see {@link ReassemblyConfig#maxAge()} @return this */
        public Builder maxAge(Duration age) {
            this.maxAge = age;
            return this;
        }

        /** @param offsets see {@link ReassemblyConfig#maxOffsetDistance()} @return this */
        public Builder maxOffsetDistance(long offsets) {
            this.maxOffsetDistance = offsets;
            return this;
        }

        /** @param clock see {@link ReassemblyConfig#clock()} @return this */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @param progress see {@link ReassemblyConfig#progress()} @return this */
        public Builder progress(Consumer<SegmentProgress> progress) {
            this.progress = progress;
            return this;
        }

        /** @return the validated config */
        public ReassemblyConfig build() {
            long message = maxMessageBytes != null ? maxMessageBytes
                    : Math.min(maxBufferedBytes, Integer.MAX_VALUE - 8);
            return new ReassemblyConfig(maxBufferedBytes, message, maxSegmentCount, maxAge, maxOffsetDistance, clock,
                    progress);
        }
    }
}
