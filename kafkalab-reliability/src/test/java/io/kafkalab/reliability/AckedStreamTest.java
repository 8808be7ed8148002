package io.kafkalab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The read-back tally of the hard-fault and bounce suites: it must see every way a promise can break. */
class AckedStreamTest {

    private static final int KEYS = 3;
    private static final int TOTAL = 9;

    /** Records 0..8 sent, all acknowledged but {@code failed}. */
    private static AtomicIntegerArray status(int... failed) {
        AtomicIntegerArray status = new AtomicIntegerArray(TOTAL);
        for (int n = 0; n < TOTAL; n++) {
            status.set(n, 1);
        }
        for (int n : failed) {
            status.set(n, 2);
        }
        return status;
    }

    private static Map<Integer, List<ConsumerRecord<String, String>>> log(int... values) {
        List<ConsumerRecord<String, String>> partition = new ArrayList<>();
        for (int v : values) {
            partition.add(new ConsumerRecord<>("t", 0, partition.size(), "k-" + v % KEYS, String.valueOf(v)));
        }
        return Map.of(0, partition);
    }

    @Test
    void aCompleteOrderedLogHasNothingToReport() {
        assertThat(AckedStream.tally(status(), TOTAL, KEYS, log(0, 1, 2, 3, 4, 5, 6, 7, 8)))
                .isEqualTo(new AckedStream.Verdict(9, 9, 0, 0, 0, 0, 0));
    }

    @Test
    void aMissingAcknowledgedRecordIsLostAndAMissingFailedOneIsNot() {
        assertThat(AckedStream.tally(status(8), TOTAL, KEYS, log(0, 1, 2, 3, 5, 6, 7)))
                .isEqualTo(new AckedStream.Verdict(9, 8, 1, 1, 0, 0, 0));
    }

    @Test
    void aSecondDeliveryIsADuplicateAndARecordBeforeAnEarlierOneOfItsKeyIsOutOfOrder() {
        // 3 again after 4: a duplicate; 6 before 3 (both key k-0): out of order
        assertThat(AckedStream.tally(status(), TOTAL, KEYS, log(0, 1, 2, 6, 3, 4, 3, 5, 7, 8)))
                .isEqualTo(new AckedStream.Verdict(9, 9, 0, 0, 1, 1, 0));
    }

    @Test
    void aRecordWithAnotherKeyOrNumberIsForeign() {
        Map<Integer, List<ConsumerRecord<String, String>>> log = log(0, 1, 2, 3, 4, 5, 6, 7, 8);
        log.get(0).add(new ConsumerRecord<>("t", 0, 9, "k-0", "1"));
        log.get(0).add(new ConsumerRecord<>("t", 0, 10, "k-0", "99"));
        assertThat(AckedStream.tally(status(), TOTAL, KEYS, log).foreign()).isEqualTo(2);
    }
}
