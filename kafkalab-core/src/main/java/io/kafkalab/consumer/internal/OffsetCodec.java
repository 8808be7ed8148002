package io.kafkalab.consumer.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.BitSet;

/**
 * The commit metadata the runner writes, version 1: {@code kl1:} followed by URL-safe base64 (no padding) of
 * <pre>
 *   flags      1 byte: bit 0 a delivered watermark follows, bit 1 a completed set follows, bit 2 the set is
 *              run-length encoded (else a bitset)
 *   watermark  varint, if flagged: every reassembled message whose last segment is below it was delivered
 *   span       varint, if a set follows: the set covers offsets [committed, committed + span)
 *   set        bitset: ceil(span / 8) bytes, bit i (LSB first) set when committed + i completed; or run-length:
 *              varint run lengths, alternating, starting with a run of incomplete offsets
 * </pre>
 * Of the two set encodings the shorter is written. Metadata of earlier versions, {@code kafkalab.delivered=N}, is
 * read as a watermark. Anything else (another application's metadata) is read as nothing. Stateless and thread safe.
 */
public final class OffsetCodec {

    /** Prefix of version 1. */
    public static final String PREFIX = "kl1:";
    /** The metadata of kafkalab 0.x: a delivered watermark only. */
    public static final String LEGACY_PREFIX = "kafkalab.delivered=";
    /** Kafka's default {@code offset.metadata.max.bytes}. */
    public static final int BROKER_LIMIT = 4096;
    /** Back-pressure starts here, three quarters of the broker's limit (as parallel-consumer does). */
    public static final int BUDGET = BROKER_LIMIT * 3 / 4;

    private static final int WATERMARK = 1;
    private static final int SET = 2;
    private static final int RUN_LENGTH = 4;

    private OffsetCodec() {
    }

    /**
     * What a commit's metadata says.
     *
     * @param watermark the delivered watermark, or -1
     * @param completed offsets completed at or above the committed offset, relative to it (bit i: committed + i);
     *                  empty when none
     * @param span      how many offsets from the committed one the set covers
     */
    public record Decoded(long watermark, BitSet completed, long span) {
        static final Decoded NOTHING = new Decoded(-1, new BitSet(), 0);

        /** @return whether {@code committed + relative} completed */
        public boolean completed(long relative) {
            return relative >= 0 && relative < span && completed.get((int) relative);
        }
    }

    /**
     * Encodes.
     *
     * @param base      the offset committed with it (the lowest incomplete one)
     * @param position  the offset after the newest handed out
     * @param window    the incomplete offsets, each in [base, position); may be empty
     * @param watermark delivered watermark, or -1 for none
     * @return the metadata, or null when there is nothing to say (no watermark, nothing completed above base)
     */
    static String encode(long base, long position, OffsetWindow window, long watermark) {
        long span = window.isEmpty() ? 0 : position - base;
        if (span <= 0 && watermark < 0) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        byte[] set = null;
        boolean runLength = false;
        if (span > 0) {
            byte[] bits = bitset(base, span, window);
            byte[] runs = runLengths(base, position, window);
            runLength = runs.length < bits.length;
            set = runLength ? runs : bits;
        }
        out.write((watermark >= 0 ? WATERMARK : 0) | (set != null ? SET : 0) | (runLength ? RUN_LENGTH : 0));
        if (watermark >= 0) {
            varint(out, watermark);
        }
        if (set != null) {
            varint(out, span);
            out.writeBytes(set);
        }
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /**
     * An upper bound on the length of {@link #encode} for a window of {@code incomplete} offsets spanning
     * {@code span} offsets: cheap enough to ask before handing out every record.
     *
     * @param span       offsets covered
     * @param incomplete incomplete offsets among them
     * @return characters at most
     */
    static long maxLength(long span, long incomplete) {
        long bits = (span + 7) / 8;
        long runs = (2 * incomplete + 1) * varintLength(span);
        long bytes = 1 + 10 + varintLength(span) + Math.min(bits, runs);
        return PREFIX.length() + (bytes * 4 + 2) / 3;
    }

    /**
     * Decodes.
     *
     * @param metadata a commit's metadata; may be null
     * @return what it says; nothing for null, empty or unknown metadata
     */
    public static Decoded decode(String metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return Decoded.NOTHING;
        }
        if (metadata.startsWith(LEGACY_PREFIX)) {
            try {
                return new Decoded(Long.parseLong(metadata.substring(LEGACY_PREFIX.length())), new BitSet(), 0);
            } catch (NumberFormatException e) {
                return Decoded.NOTHING;
            }
        }
        if (!metadata.startsWith(PREFIX)) {
            return Decoded.NOTHING;
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(metadata.substring(PREFIX.length()).getBytes(StandardCharsets.US_ASCII));
            int[] at = {0};
            int flags = in[at[0]++];
            long watermark = (flags & WATERMARK) != 0 ? readVarint(in, at) : -1;
            if ((flags & SET) == 0) {
                return new Decoded(watermark, new BitSet(), 0);
            }
            long span = readVarint(in, at);
            if (span > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("span " + span);
            }
            BitSet completed = new BitSet();
            if ((flags & RUN_LENGTH) != 0) {
                long offset = 0;
                boolean complete = false;
                while (at[0] < in.length) {
                    long run = readVarint(in, at);
                    if (complete) {
                        completed.set((int) offset, (int) Math.min(span, offset + run));
                    }
                    offset += run;
                    complete = !complete;
                }
            } else {
                BitSet bits = BitSet.valueOf(java.util.Arrays.copyOfRange(in, at[0], in.length));
                completed = bits.get(0, (int) span);
            }
            return new Decoded(watermark, completed, span);
        } catch (RuntimeException e) {
            // damaged metadata: re-process rather than skip anything
            return Decoded.NOTHING;
        }
    }

    private static byte[] bitset(long base, long span, OffsetWindow window) {
        BitSet bits = new BitSet((int) span);
        bits.set(0, (int) span);
        window.forEach(o -> bits.clear((int) (o - base)));
        byte[] packed = bits.toByteArray();
        return java.util.Arrays.copyOf(packed, (int) ((span + 7) / 8));
    }

    private static byte[] runLengths(long base, long position, OffsetWindow window) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] state = {base, 0}; // next offset to account for, length of the current incomplete run
        window.forEach(o -> {
            if (o == state[0]) {
                state[1]++;
                state[0]++;
                return;
            }
            // a gap of complete offsets [state[0], o) ends the incomplete run
            varint(out, state[1]);
            varint(out, o - state[0]);
            state[1] = 1;
            state[0] = o + 1;
        });
        varint(out, state[1]);
        if (position > state[0]) {
            varint(out, position - state[0]);
        }
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(byte[] in, int[] at) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in[at[0]++];
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    private static int varintLength(long value) {
        int n = 1;
        long v = value >>> 7;
        while (v != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
