package io.kafkalab.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkalab.consumer.BatchHandler;
import io.kafkalab.consumer.RecordHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class TimedHandlersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private long count(String result, String exception) {
        return registry.get(TimedHandlers.TIMER).tags("runner", "r", "result", result, "exception", exception)
                .timer().count();
    }

    @Test
    void recordHandlerTimesSuccessesAndFailuresAndRethrowsTheSameException() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        RecordHandler<String, String> timed = TimedHandlers.record(registry, "r", r -> {
            if (r.offset() % 3 == 0) {
                throw boom;
            }
        });
        for (long o = 1; o <= 9; o++) {
            ConsumerRecord<String, String> r = new ConsumerRecord<>("t", 0, o, "k", "v");
            if (o % 3 == 0) {
                assertThatThrownBy(() -> timed.handle(r)).isSameAs(boom);
            } else {
                timed.handle(r);
            }
        }
        assertThat(count("success", "none")).isEqualTo(6);
        assertThat(count("failure", "IllegalStateException")).isEqualTo(3);
    }

    @Test
    void batchHandlerTimesEachBatchOnce() throws Exception {
        BatchHandler<String, String> timed = TimedHandlers.batch(registry, "r", records -> {
            if (records.size() > 1) {
                throw new java.io.IOException("too many");
            }
        });
        ConsumerRecord<String, String> r = new ConsumerRecord<>("t", 0, 0, "k", "v");
        timed.handle(List.of(r));
        assertThatThrownBy(() -> timed.handle(List.of(r, r))).isInstanceOf(java.io.IOException.class)
                .hasMessage("too many");
        assertThat(count("success", "none")).isEqualTo(1);
        assertThat(count("failure", "IOException")).isEqualTo(1);
    }
}
