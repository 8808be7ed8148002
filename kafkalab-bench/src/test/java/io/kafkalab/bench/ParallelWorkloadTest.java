package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kafkalab.bench.ParallelWorkload.Order;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The parallel workload is the same work in every run, and its bounds are what the issue defines. */
class ParallelWorkloadTest {

    private static final int N = ParallelWorkload.PUBLISHED_RECORDS;

    @Test
    void handlerTimesAreUniformInZeroToFiveMillisecondsAndTheSameEveryTime() {
        long[] times = LongStream.range(0, N).map(ParallelWorkload::handlerNanos).toArray();
        assertThat(LongStream.of(times).boxed().toList()).allSatisfy(t -> assertThat(t).isBetween(0L, 5_000_000L));
        assertThat(LongStream.range(0, N).map(ParallelWorkload::handlerNanos).toArray()).isEqualTo(times);
        double mean = LongStream.of(times).average().orElseThrow();
        assertThat(mean).isCloseTo(2_500_000, within(100_000.0));
        assertThat(LongStream.of(times).min().orElseThrow()).isLessThan(10_000);
        assertThat(LongStream.of(times).max().orElseThrow()).isGreaterThan(4_990_000);
        assertThat(LongStream.of(times).distinct().count()).isGreaterThan(N * 9L / 10);
        assertThat(ParallelWorkload.totalNanos(N)).isEqualTo(LongStream.of(times).sum());
    }

    @Test
    void keysAreAssignedRoundRobinByOffset() {
        ParallelWorkload ten = new ParallelWorkload(Order.KEY, 10, 3.3);
        assertThat(ten.key(0)).isEqualTo("k0").isEqualTo(ten.key(10)).isEqualTo(ten.key(9990));
        assertThat(ten.key(13)).isEqualTo("k3");
        assertThat(new ParallelWorkload(Order.KEY, 1, 0).key(12_345)).isEqualTo("k0");
    }

    @Test
    void partitionOrderAndOneKeyAreBoundByTheWholeTotal() {
        double total = ParallelWorkload.totalNanos(N) / 1e9;
        assertThat(total).isCloseTo(25.0, within(1.0));
        assertThat(new ParallelWorkload(Order.PARTITION, 20, 0).boundSeconds(N)).isEqualTo(total);
        assertThat(new ParallelWorkload(Order.KEY, 1, 0).boundSeconds(N)).isEqualTo(total);
    }

    @Test
    void manyKeysAndNoOrderAreBoundByTheTotalOverTheConcurrency() {
        double spread = ParallelWorkload.totalNanos(N) / 1e9 / ParallelWorkload.CONCURRENCY;
        assertThat(new ParallelWorkload(Order.KEY, 10_000, 0).boundSeconds(N)).isEqualTo(spread);
        assertThat(new ParallelWorkload(Order.UNORDERED, 20, 0).boundSeconds(N)).isEqualTo(spread);
    }

    @Test
    void fewKeysAreBoundByTheBusiestKey() {
        long[] perKey = new long[10];
        for (int o = 0; o < N; o++) {
            perKey[o % 10] += ParallelWorkload.handlerNanos(o);
        }
        double busiest = LongStream.of(perKey).max().orElseThrow() / 1e9;
        assertThat(busiest).isGreaterThan(ParallelWorkload.totalNanos(N) / 10.0 / 1e9);
        assertThat(new ParallelWorkload(Order.KEY, 10, 0).boundSeconds(N)).isEqualTo(busiest);
        // one record per key: the longest record, or the spread, whichever is larger
        assertThat(new ParallelWorkload(Order.KEY, 100, 0).boundSeconds(50))
                .isEqualTo(LongStream.range(0, 50).map(ParallelWorkload::handlerNanos).max().orElseThrow() / 1e9);
    }

    @Test
    void thePublishedTableIsRepeatedRowForRow() {
        assertThat(ParallelWorkload.PUBLISHED).extracting(ParallelWorkload::label).containsExactly("PARTITION",
                "KEY 1 key", "KEY 10 keys", "KEY 100 keys", "KEY 10000 keys", "UNORDERED");
        assertThat(ParallelWorkload.PUBLISHED).extracting(ParallelWorkload::published)
                .containsExactly(22.221, 26.743, 3.310, 2.178, 2.128, 2.829);
    }
}
