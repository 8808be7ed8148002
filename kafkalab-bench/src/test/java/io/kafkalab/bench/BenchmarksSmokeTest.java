package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.message.CustomMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/** Each benchmark computes the right thing (the benchmarks themselves are not part of the test command). */
class BenchmarksSmokeTest {

    @Test
    void serdeBenchmarksProduceTheSameJsonAndObjectsAsPlainJackson() throws Exception {
        SerdeBenchmark b = new SerdeBenchmark();
        b.setup();
        assertThat(b.kafkalabSerialize()).isEqualTo(b.jacksonSerialize());
        CustomMessage m = b.kafkalabDeserialize();
        assertThat(m).isEqualTo(b.jacksonDeserialize()).isEqualTo(b.message);
    }

    /** Every send of each variant is answered, and counted where the variant counts. */
    @Test
    void sendPathBenchmarksAnswerEverySend() {
        SendPathBenchmark b = new SendPathBenchmark();
        b.setup();
        int sends = 3 * SendPathBenchmark.BATCH + 5;
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < sends; i++) {
            b.rawSend();
            futures.add(b.kafkalabSend());
            futures.add(b.producersSend());
        }
        // 3 sends a round: the first 9 batches answered, the last 5 rounds' sends still pending
        assertThat(b.tracker.summary().pending()).isEqualTo(5);
        assertThat(b.acked).hasValue(sends - 5);
        b.producer.flush();
        assertThat(b.acked).hasValue(sends);
        assertThat(b.tracker.summary().acknowledged()).isEqualTo(sends);
        assertThat(futures).allSatisfy(f -> assertThat(f).isDone());
    }

    @Test
    void segmentBenchmarksReassembleByteExactAndCopyTheFloor() {
        for (int size : new int[] {1024, 1024 * 1024 + 17}) {
            SegmentBenchmark b = new SegmentBenchmark();
            b.size = size;
            b.setup();
            assertThat(b.arraycopyFloor()).isEqualTo(b.message);
            assertThat(b.reassemble()).isEqualTo(b.message);
            assertThat(b.segment()).hasSize((size + 512 * 1024 - 1) / (512 * 1024));
        }
    }
}
