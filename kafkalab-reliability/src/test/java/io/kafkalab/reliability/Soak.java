package io.kafkalab.reliability;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The soak switch: {@code -Dkafkalab.soak=5m} (also {@code 90s}, {@code 2h} or an ISO-8601 {@code PT5M})
 * repeats each scenario, with fresh topics and groups every round, until that much time has passed. Off by
 * default, so CI runs every scenario once.
 */
final class Soak {

    /** The system property that turns soak mode on. */
    static final String PROPERTY = "kafkalab.soak";

    private Soak() {
    }

    /** @return the soak duration per scenario, or empty when soak mode is off */
    static Optional<Duration> duration() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(parse(value));
    }

    /**
     * @param value {@code <number><s|m|h>} or ISO-8601
     * @return the duration
     * @throws IllegalArgumentException naming the property when the value is not a positive duration
     */
    static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (v.startsWith("pt")) {
                d = Duration.parse(v);
            } else {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                d = switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new NumberFormatException("unit");
                };
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a duration such as 90s, 5m or PT5M, but was "
                    + value, e);
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(PROPERTY + " must be > 0, but was " + value);
        }
        return d;
    }

    /** One round of a scenario; a failed check throws. */
    @FunctionalInterface
    interface Round {
        void run(int round) throws Exception;
    }

    /**
     * Runs {@code round} once, or in soak mode again and again until the soak duration has passed.
     *
     * @return how many rounds ran
     */
    static int rounds(Round round) throws Exception {
        long deadline = System.nanoTime() + duration().map(Duration::toNanos).orElse(0L);
        int n = 0;
        do {
            round.run(n++);
        } while (System.nanoTime() < deadline);
        return n;
    }
}
