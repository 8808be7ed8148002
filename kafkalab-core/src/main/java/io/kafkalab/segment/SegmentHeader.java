package io.kafkalab.segment;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The metadata of one segment, carried in record headers only (never in the payload), as short UTF-8 text so
 * that console consumers show it:
 * {@value #VERSION}, {@value #MESSAGE_ID}, {@value #INDEX}, {@value #COUNT}, {@value #TOTAL_SIZE},
 * {@value #CRC32C} (of the whole message, 8 hex digits).
 *
 * <p>{@link #read(Headers)} is strict and bounded: a header value longer than {@value #MAX_HEADER_BYTES}
 * bytes, a number that does not parse, a count below 1, an index outside {@code [0, count)} or a negative
 * size is an {@link InvalidSegmentException}, raised before anything is allocated for the message.
 *
 * @param version     format version, {@value #FORMAT_VERSION}
 * @param messageId   the message this segment belongs to
 * @param index       position of the segment, from 0
 * @param count       segments in the message, at least 1
 * @param totalSize   bytes in the whole message
 * @param crc32c      CRC32C of the whole message
 */
public record SegmentHeader(int version, UUID messageId, int index, int count, long totalSize, int crc32c) {

    /** The prefix of every header name kafkalab's segments use. */
    public static final String PREFIX = "kafkalab.segment.";
    /** Header key: format version. */
    public static final String VERSION = "kafkalab.segment.version";
    /** Header key: message id (UUID text). */
    public static final String MESSAGE_ID = "kafkalab.segment.message.id";
    /** Header key: segment index, from 0. */
    public static final String INDEX = "kafkalab.segment.index";
    /** Header key: number of segments. */
    public static final String COUNT = "kafkalab.segment.count";
    /** Header key: size of the whole message in bytes. */
    public static final String TOTAL_SIZE = "kafkalab.segment.total.size";
    /** Header key: CRC32C of the whole message, 8 hex digits. */
    public static final String CRC32C = "kafkalab.segment.crc32c";
    /** The format version this code writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** Longest header value accepted. */
    public static final int MAX_HEADER_BYTES = 64;

    private static final String[] KEYS = {VERSION, MESSAGE_ID, INDEX, COUNT, TOTAL_SIZE, CRC32C};

    /** Writes the six headers, replacing any with the same keys. */
    public void writeTo(Headers headers) {
        put(headers, VERSION, String.valueOf(version));
        put(headers, MESSAGE_ID, messageId.toString());
        put(headers, INDEX, String.valueOf(index));
        put(headers, COUNT, String.valueOf(count));
        put(headers, TOTAL_SIZE, String.valueOf(totalSize));
        put(headers, CRC32C, String.format("%08x", crc32c));
    }

    /**
     * Reads segment headers.
     *
     * @param headers a record's headers
     * @return the header, or null when the record has no segment headers at all (a plain record)
     * @throws InvalidSegmentException when some are present but missing, malformed or out of range
     */
    public static SegmentHeader read(Headers headers) {
        boolean any = false;
        for (String key : KEYS) {
            if (headers.lastHeader(key) != null) {
                any = true;
                break;
            }
        }
        if (!any) {
            return null;
        }
        int version = (int) number(headers, VERSION, 1, Integer.MAX_VALUE);
        if (version != FORMAT_VERSION) {
            throw new InvalidSegmentException(VERSION + " " + version + " is not supported (this code reads "
                    + FORMAT_VERSION + ")");
        }
        UUID id;
        String idText = text(headers, MESSAGE_ID);
        try {
            id = UUID.fromString(idText);
        } catch (IllegalArgumentException e) {
            throw new InvalidSegmentException(MESSAGE_ID + " is not a UUID: '" + idText + "'");
        }
        int count = (int) number(headers, COUNT, 1, Integer.MAX_VALUE);
        int index = (int) number(headers, INDEX, 0, Integer.MAX_VALUE);
        if (index >= count) {
            throw new InvalidSegmentException(INDEX + " " + index + " is not below " + COUNT + " " + count);
        }
        long total = number(headers, TOTAL_SIZE, 0, Long.MAX_VALUE);
        String crcText = text(headers, CRC32C);
        if (!crcText.matches("[0-9a-fA-F]{8}")) {
            throw new InvalidSegmentException(CRC32C + " is not 8 hex digits: '" + crcText + "'");
        }
        return new SegmentHeader(version, id, index, count, total, (int) Long.parseLong(crcText, 16));
    }

    private static long number(Headers headers, String key, long min, long max) {
        String s = text(headers, key);
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new InvalidSegmentException(key + " is not a number: '" + s + "'");
        }
        if (v < min || v > max) {
            throw new InvalidSegmentException(key + " must be between " + min + " and " + max + ", but was " + v);
        }
        return v;
    }

    private static String text(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        if (h == null || h.value() == null) {
            throw new InvalidSegmentException("header " + key + " is missing");
        }
        if (h.value().length > MAX_HEADER_BYTES) {
            throw new InvalidSegmentException("header " + key + " is " + h.value().length + " bytes long, more than "
                    + MAX_HEADER_BYTES);
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
