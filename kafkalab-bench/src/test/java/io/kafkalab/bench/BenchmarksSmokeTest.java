package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.message.CustomMessage;
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
