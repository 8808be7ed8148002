package io.kafkalab.segment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Splits a message into segments of at most {@code maxSegmentBytes}. Pure functions, thread safe.
 */
public final class Segments {

    private Segments() {
    }

    /**
     * Splits bytes at fixed positions. An empty message is one empty segment.
     *
     * @param data            the message
     * @param maxSegmentBytes at least 1
     * @return the segments in order
     */
    public static List<byte[]> split(byte[] data, int maxSegmentBytes) {
        Objects.requireNonNull(data, "data");
        positive(maxSegmentBytes, 1);
        List<byte[]> segments = new ArrayList<>(Math.max(1, (data.length + maxSegmentBytes - 1) / maxSegmentBytes));
        int from = 0;
        do {
            int to = Math.min(data.length, from + maxSegmentBytes);
            segments.add(Arrays.copyOfRange(data, from, to));
            from = to;
        } while (from < data.length);
        return segments;
    }

    /**
     * Splits UTF-8 text without ever cutting inside a code point, so that every segment is valid UTF-8 on its
     * own and a plain consumer shows readable pieces.
     *
     * @param utf8            valid UTF-8
     * @param maxSegmentBytes at least 4 (the longest code point)
     * @return the segments in order
     */
    public static List<byte[]> splitUtf8(byte[] utf8, int maxSegmentBytes) {
        Objects.requireNonNull(utf8, "utf8");
        positive(maxSegmentBytes, 4);
        List<byte[]> segments = new ArrayList<>();
        int from = 0;
        do {
            int to = Math.min(utf8.length, from + maxSegmentBytes);
            // step back while the byte at the cut is a continuation byte (10xxxxxx)
            while (to < utf8.length && to > from && (utf8[to] & 0xC0) == 0x80) {
                to--;
            }
            segments.add(Arrays.copyOfRange(utf8, from, to));
            from = to;
        } while (from < utf8.length);
        return segments;
    }

    /** @return the CRC32C of {@code data} */
    public static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length);
        return (int) crc.getValue();
    }

    private static void positive(int maxSegmentBytes, int min) {
        if (maxSegmentBytes < min) {
            throw new IllegalArgumentException("maxSegmentBytes must be >= " + min + ", but was " + maxSegmentBytes);
        }
    }
}
