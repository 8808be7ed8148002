package io.kafkalab.segment;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** One extended grapheme cluster (Unicode UAX #29): what a reader sees as one character. */
    private static final Pattern GRAPHEME = Pattern.compile("\\X");

    /**
     * Splits UTF-8 text between characters as a reader sees them: extended grapheme clusters (Unicode UAX #29,
     * as {@code java.util.regex}'s {@code \X} finds them), so a flag, an emoji with its skin tone, a family
     * joined with zero-width joiners or a letter with its accents stays in one segment. A cluster longer than
     * {@code maxSegmentBytes} is cut between its code points. Either way every segment is valid UTF-8 on its own,
     * and a plain consumer shows readable pieces. Input that is not valid UTF-8 is cut between code points, as
     * far as its bytes allow.
     *
     * @param utf8            UTF-8 text
     * @param maxSegmentBytes at least 4 (the longest code point)
     * @return the segments in order; their concatenation is {@code utf8}
     */
    public static List<byte[]> splitUtf8(byte[] utf8, int maxSegmentBytes) {
        Objects.requireNonNull(utf8, "utf8");
        positive(maxSegmentBytes, 4);
        if (utf8.length <= maxSegmentBytes) {
            return List.of(utf8.clone());
        }
        if (ascii(utf8)) {
            return splitAscii(utf8, maxSegmentBytes);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            return splitAtCodePoints(utf8, maxSegmentBytes);
        }
        List<byte[]> segments = new ArrayList<>();
        int from = 0; // the first byte of the segment being filled
        int at = 0;   // the first byte of the next cluster
        Matcher cluster = GRAPHEME.matcher(text);
        while (cluster.find()) {
            int length = utf8Length(text, cluster.start(), cluster.end());
            if (at + length - from > maxSegmentBytes) {
                if (at > from) {
                    segments.add(Arrays.copyOfRange(utf8, from, at));
                    from = at;
                }
                if (length > maxSegmentBytes) {
                    // longer than a segment: cut between its code points
                    for (int i = cluster.start(); i < cluster.end(); ) {
                        int codePoint = text.codePointAt(i);
                        int bytes = utf8Length(codePoint);
                        if (at + bytes - from > maxSegmentBytes) {
                            segments.add(Arrays.copyOfRange(utf8, from, at));
                            from = at;
                        }
                        at += bytes;
                        i += Character.charCount(codePoint);
                    }
                    continue;
                }
            }
            at += length;
        }
        if (at > from || segments.isEmpty()) {
            segments.add(Arrays.copyOfRange(utf8, from, at));
        }
        return segments;
    }

    private static boolean ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * ASCII text, whose grapheme clusters are its characters but CR LF (UAX #29 rule GB3; the other rules that join
     * characters concern none of ASCII's): cut at the size, one earlier where that would part a CR from its LF.
     */
    private static List<byte[]> splitAscii(byte[] ascii, int maxSegmentBytes) {
        List<byte[]> segments = new ArrayList<>(ascii.length / maxSegmentBytes + 1);
        int from = 0;
        while (from < ascii.length) {
            int to = Math.min(ascii.length, from + maxSegmentBytes);
            if (to < ascii.length && ascii[to - 1] == '\r' && ascii[to] == '\n') {
                to--;
            }
            segments.add(Arrays.copyOfRange(ascii, from, to));
            from = to;
        }
        return segments;
    }

    /** Cuts only where the next byte starts a code point (is not a continuation byte, 10xxxxxx). */
    private static List<byte[]> splitAtCodePoints(byte[] utf8, int maxSegmentBytes) {
        List<byte[]> segments = new ArrayList<>();
        int from = 0;
        do {
            int to = Math.min(utf8.length, from + maxSegmentBytes);
            while (to < utf8.length && to > from && (utf8[to] & 0xC0) == 0x80) {
                to--;
            }
            if (to == from) { // nothing but continuation bytes ahead: invalid anyway, cut where the size says
                to = Math.min(utf8.length, from + maxSegmentBytes);
            }
            segments.add(Arrays.copyOfRange(utf8, from, to));
            from = to;
        } while (from < utf8.length);
        return segments;
    }

    /**
     * The length of {@code text} in UTF-8, counted without encoding it: what {@code text.getBytes(UTF_8).length}
     * returns, a lone surrogate included (the JDK's encoder writes it as one {@code '?'}).
     *
     * @param text any text, not null
     * @return its length in UTF-8 bytes
     */
    public static int utf8Length(CharSequence text) {
        Objects.requireNonNull(text, "text");
        return utf8Length(text, 0, text.length());
    }

    private static int utf8Length(CharSequence text, int start, int end) {
        int bytes = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++; // encoded as '?'
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static int utf8Length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
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
