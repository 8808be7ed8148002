package io.kafkalab.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class OffsetCodecTest {

    @Test
    void recordsTheCompletedOffsetsAboveTheCommittedOne() {
        OffsetWindow w = new OffsetWindow();
        w.add(100);
        w.add(103);
        String meta = OffsetCodec.encode(100, 106, w, -1);
        assertThat(meta).startsWith("kl1:");
        OffsetCodec.Decoded d = OffsetCodec.decode(meta);
        assertThat(d.span()).isEqualTo(6);
        assertThat(d.watermark()).isEqualTo(-1);
        // 100 and 103 incomplete; 101, 102, 104, 105 complete
        assertThat(d.completed(0)).isFalse();
        assertThat(d.completed(1)).isTrue();
        assertThat(d.completed(2)).isTrue();
        assertThat(d.completed(3)).isFalse();
        assertThat(d.completed(4)).isTrue();
        assertThat(d.completed(5)).isTrue();
        assertThat(d.completed(6)).as("beyond the span: not known to be complete").isFalse();
    }

    @Test
    void carriesTheWatermarkAndReadsTheOldFormat() {
        assertThat(OffsetCodec.decode(OffsetCodec.encode(7, 7, new OffsetWindow(), 42)).watermark()).isEqualTo(42);
        assertThat(OffsetCodec.decode("kafkalab.delivered=17").watermark()).isEqualTo(17);
        assertThat(OffsetCodec.decode("kafkalab.delivered=x").watermark()).isEqualTo(-1);
        assertThat(OffsetCodec.decode("someone else's metadata").span()).isZero();
        assertThat(OffsetCodec.decode("kl1:%%%").span()).as("damaged: nothing skipped").isZero();
        assertThat(OffsetCodec.decode(null).watermark()).isEqualTo(-1);
    }

    @Test
    void nothingToSayIsNoMetadata() {
        assertThat(OffsetCodec.encode(5, 5, new OffsetWindow(), -1)).isNull();
    }

    @Test
    void writesTheShorterEncoding() {
        // one incomplete offset and 20 000 complete ones: run-length is a few bytes, a bitset 2 500
        OffsetWindow stuck = new OffsetWindow();
        stuck.add(0);
        assertThat(OffsetCodec.encode(0, 20_001, stuck, -1).length()).isLessThan(20);
        // every other offset incomplete: the bitset wins
        OffsetWindow sparse = new OffsetWindow();
        for (int i = 0; i < 2_000; i += 2) {
            sparse.add(i);
        }
        String meta = OffsetCodec.encode(0, 2_000, sparse, -1);
        assertThat(meta.length()).isLessThanOrEqualTo(OffsetCodec.PREFIX.length() + (2 + 2 + 250) * 4 / 3 + 2);
        OffsetCodec.Decoded d = OffsetCodec.decode(meta);
        for (int i = 0; i < 2_000; i++) {
            assertThat(d.completed(i)).as("offset %d", i).isEqualTo(i % 2 == 1);
        }
    }

    /** Any window round-trips, and {@link OffsetCodec#maxLength} bounds what is written. */
    @RepeatedTest(200)
    void roundTripsAnyWindow() {
        Random random = new Random();
        long base = random.nextInt(1_000_000);
        int span = 1 + random.nextInt(random.nextBoolean() ? 100 : 20_000);
        double density = random.nextDouble();
        OffsetWindow w = new OffsetWindow();
        BitSet incomplete = new BitSet();
        w.add(base);
        incomplete.set(0);
        for (int i = 1; i < span; i++) {
            if (random.nextDouble() < density) {
                w.add(base + i);
                incomplete.set(i);
            }
        }
        long watermark = random.nextBoolean() ? -1 : random.nextInt(1 << 30);
        String meta = OffsetCodec.encode(base, base + span, w, watermark);
        assertThat((long) meta.length()).isLessThanOrEqualTo(OffsetCodec.maxLength(span, w.size()));
        OffsetCodec.Decoded d = OffsetCodec.decode(meta);
        assertThat(d.watermark()).isEqualTo(watermark);
        assertThat(d.span()).isEqualTo(span);
        for (int i = 0; i < span; i++) {
            assertThat(d.completed(i)).as("offset %d of %d", i, span).isEqualTo(!incomplete.get(i));
        }
    }
}
