package io.kafkalab.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class OffsetWindowTest {

    @Test
    void theLowestIncompleteOffsetIsTheFirstWhateverOrderTheyComplete() {
        OffsetWindow w = new OffsetWindow();
        for (long o = 10; o < 15; o++) {
            w.add(o);
        }
        w.remove(12);
        w.remove(10);
        assertThat(w.first()).isEqualTo(11);
        w.remove(11);
        assertThat(w.first()).isEqualTo(13);
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.remove(12)).as("completed twice").isFalse();
        w.remove(13);
        w.remove(14);
        assertThat(w.isEmpty()).isTrue();
    }

    @Test
    void anOffsetBelowTheNewestIsInsertedInOrder() {
        OffsetWindow w = new OffsetWindow();
        w.add(5);
        w.add(9);
        w.add(7);
        w.add(3);
        List<Long> seen = new ArrayList<>();
        w.forEach(seen::add);
        assertThat(seen).containsExactly(3L, 5L, 7L, 9L);
        assertThat(w.first()).isEqualTo(3);
    }

    /**
     * A record held at the head (a retry) while 100 000 behind it complete, at most 64 in flight: the completed
     * slots are compacted away, the window stays within twice the most incomplete at once, and it still answers.
     */
    @Test
    void aHeldHeadWithManyCompletionsBehindItKeepsTheWindowSmall() {
        OffsetWindow w = new OffsetWindow();
        w.add(0);
        for (long o = 1; o <= 100_000; o++) {
            w.add(o);
            if (o > 64) {
                assertThat(w.remove(o - 64)).isTrue();
            }
        }
        assertThat(w.first()).isZero();
        assertThat(w.size()).isEqualTo(65);
        assertThat(w.capacity()).isLessThanOrEqualTo(2 * 128);
        assertThat(w.contains(100_000 - 64)).isFalse();
        assertThat(w.contains(100_000 - 63)).isTrue();
        assertThat(w.newestLive()).isEqualTo(100_000);
    }

    /** A model check: against a TreeSet, with random adds (mostly ascending) and removals in any order. */
    @RepeatedTest(50)
    void behavesLikeASortedSet() {
        Random random = new Random();
        OffsetWindow w = new OffsetWindow();
        TreeSet<Long> model = new TreeSet<>();
        long next = 0;
        for (int step = 0; step < 5_000; step++) {
            int action = random.nextInt(10);
            if (action < 5 || model.isEmpty()) {
                next += 1 + random.nextInt(3);
                w.add(next);
                model.add(next);
            } else if (action < 6) {
                // below the newest, also below the lowest incomplete and where an offset completed before
                long below = Math.max(0, next - random.nextInt(50));
                if (!model.contains(below)) {
                    w.add(below);
                    model.add(below);
                }
            } else {
                List<Long> live = new ArrayList<>(model);
                Collections.shuffle(live, random);
                long gone = live.get(0);
                assertThat(w.remove(gone)).isTrue();
                model.remove(gone);
            }
            assertThat(w.size()).isEqualTo(model.size());
            long probe = Math.max(0, next - random.nextInt(60));
            assertThat(w.contains(probe)).isEqualTo(model.contains(probe));
            assertThat(w.remove(next + 1)).isFalse();
            if (!model.isEmpty()) {
                assertThat(w.newestLive()).isEqualTo(model.last());
                assertThat(w.first()).isEqualTo(model.first());
            }
        }
        List<Long> seen = new ArrayList<>();
        w.forEach(seen::add);
        assertThat(seen).containsExactlyElementsOf(model);
    }
}
