package io.kafkalab.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Arbitrary record headers through {@link SegmentHeader#read}: null for a record without segment headers, a
 * header within its documented ranges, or an {@link InvalidSegmentException}; nothing else escapes, and what was
 * read writes back and reads to the same header.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the committed inputs under
 * {@code src/test/resources/io/kafkalab/segment/SegmentHeaderFuzzTestInputs/} as regression tests.
 */
class SegmentHeaderFuzzTest {

    private static final String[] KEYS = {SegmentHeader.VERSION, SegmentHeader.MESSAGE_ID, SegmentHeader.INDEX,
            SegmentHeader.COUNT, SegmentHeader.TOTAL_SIZE, SegmentHeader.CRC32C, "other"};

    @FuzzTest(maxDuration = "10s")
    void headersBecomeASegmentHeaderOrATypedError(FuzzedDataProvider data) {
        RecordHeaders headers = new RecordHeaders();
        boolean anySegmentKey = false;
        int n = data.consumeInt(0, 12);
        for (int i = 0; i < n; i++) {
            String key = data.pickValue(KEYS);
            anySegmentKey |= !key.equals("other");
            byte[] value = data.consumeBoolean() ? null : data.consumeBytes(data.consumeInt(0, 80));
            headers.add(key, value);
        }
        SegmentHeader h;
        try {
            h = SegmentHeader.read(headers);
        } catch (InvalidSegmentException e) {
            assertThat(anySegmentKey).as("a plain record is never invalid").isTrue();
            assertThat(e.getMessage()).contains("kafkalab.segment.");
            return;
        }
        if (h == null) {
            assertThat(anySegmentKey).as("null only for a record without segment headers").isFalse();
            return;
        }
        assertThat(h.version()).isEqualTo(SegmentHeader.FORMAT_VERSION);
        assertThat(h.count()).isPositive();
        assertThat(h.index()).isBetween(0, h.count() - 1);
        assertThat(h.totalSize()).isNotNegative();
        for (String key : KEYS) {
            if (headers.lastHeader(key) != null && headers.lastHeader(key).value() != null) {
                assertThat(headers.lastHeader(key).value().length).isLessThanOrEqualTo(SegmentHeader.MAX_HEADER_BYTES);
            }
        }
        RecordHeaders written = new RecordHeaders();
        h.writeTo(written);
        assertThat(SegmentHeader.read(written)).isEqualTo(h);
        assertThat(new String(written.lastHeader(SegmentHeader.CRC32C).value(), StandardCharsets.UTF_8)).hasSize(8);
    }
}
