package io.kafkalab.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkalab.testkit.KafkaClusterException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** A failing check is "not yet", except a refusal by the authorizer: waiting cannot change that answer. */
class WaitTest {

    @Test
    void aFailureIsNotYetAndTheLastOneIsTheCauseOfTheTimeout() {
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException notYet = new IllegalStateException("not yet");
        assertThatThrownBy(() -> Wait.until(() -> {
            calls.incrementAndGet();
            throw notYet;
        }, Duration.ofMillis(200), () -> "the test's condition"))
                .isInstanceOf(KafkaClusterException.class)
                .hasMessage("timed out after 200 ms waiting for the test's condition").hasCause(notYet);
        assertThat(calls.get()).isGreaterThan(1);
    }

    @Test
    void aRefusalByTheAuthorizerIsThrownAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        KafkaClusterException refused = new KafkaClusterException("describe topic t",
                new TopicAuthorizationException("Topic authorization failed."));
        assertThatThrownBy(() -> Wait.until(() -> {
            calls.incrementAndGet();
            throw refused;
        }, Duration.ofSeconds(2), () -> "the test's condition")).isSameAs(refused);
        assertThat(calls.get()).isEqualTo(1);
    }
}
