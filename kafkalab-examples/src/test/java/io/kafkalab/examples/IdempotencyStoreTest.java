package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class IdempotencyStoreTest {

    /** A clock the test moves. */
    private static final class Manual extends Clock {
        long millis;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSameKeyAndBodyShareTheFirstAnswerAnotherBodyConflicts() {
        IdempotencyStore<String> store = new IdempotencyStore<>(10, Duration.ofMinutes(1), new Manual());
        IdempotencyStore.Claim<String> first = store.claim("k", b("body"));
        assertThat(first.first()).isTrue();
        IdempotencyStore.Claim<String> retry = store.claim("k", b("body"));
        assertThat(retry.first()).isFalse();
        assertThat(retry.conflict()).isFalse();
        assertThat(retry.answer()).isSameAs(first.answer());
        first.answer().complete("sent");
        assertThat(store.claim("k", b("body")).answer()).isCompletedWithValue("sent");
        assertThat(store.claim("k", b("other")).conflict()).isTrue();
    }

    @Test
    void aKeyIsForgottenAfterTheWindowAndTheOldestGoesFirstOverTheBound() {
        Manual clock = new Manual();
        IdempotencyStore<String> store = new IdempotencyStore<>(2, Duration.ofSeconds(10), clock);
        store.claim("a", b("1"));
        clock.millis += 5_000;
        store.claim("b", b("1"));
        clock.millis += 5_000; // a is 10 s old: gone; b is 5 s old: kept
        assertThat(store.claim("a", b("1")).first()).isTrue();
        assertThat(store.claim("b", b("1")).first()).isFalse();
        store.claim("c", b("1")); // over the bound of 2: the oldest (b) goes
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.claim("b", b("1")).first()).isTrue();
    }

    @Test
    void forgetRemovesOnlyTheAnswerItWasGiven() {
        IdempotencyStore<String> store = new IdempotencyStore<>(10, Duration.ofMinutes(1), new Manual());
        IdempotencyStore.Claim<String> first = store.claim("k", b("x"));
        store.forget("k", new java.util.concurrent.CompletableFuture<>());
        assertThat(store.claim("k", b("x")).first()).isFalse();
        store.forget("k", first.answer());
        assertThat(store.claim("k", b("x")).first()).isTrue();
    }
}
