package io.kafkalab.testkit.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks the builders share, with messages that name the field and the bad value. Not part of the API. */
public final class Arguments {

    private Arguments() {
    }

    /**
     * @param d    a duration
     * @param name the field, for the message
     * @return {@code d}
     * @throws IllegalArgumentException when it is zero or negative: {@code "<name> must be > 0, but was <d>"}
     */
    public static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, but was " + d);
        }
        return d;
    }
}
