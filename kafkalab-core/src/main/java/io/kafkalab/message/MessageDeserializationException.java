package io.kafkalab.message;

import io.kafkalab.KafkaLabException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bytes read from a topic are not the JSON that was expected: truncated, not JSON, invalid UTF-8, a
 * required field missing or of the wrong type, trailing garbage.
 *
 * <p>Carries the topic, the target type, the full length and a bounded preview of the raw bytes, both in
 * getters and in the message, and Jackson's error as the cause. A {@code KafkaConsumer} wraps it in
 * Kafka's {@link org.apache.kafka.common.errors.RecordDeserializationException}, which adds partition,
 * offset and the whole raw record; the kafkalab consumer runners hand that to their error policy instead
 * of looping on the record or dropping it.
 *
 * <p>Immutable.
 */
public class MessageDeserializationException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String targetType;
    private final int length;
    private final byte[] previewBytes;

    /**
     * @param topic        the topic the bytes came from; may be null
     * @param targetType   the type they were meant to become
     * @param data         the raw bytes (only the first {@code previewLimit} are kept)
     * @param previewLimit how many bytes to keep and show, at least 0
     * @param cause        what Jackson reported
     */
    public MessageDeserializationException(String topic, String targetType, byte[] data, int previewLimit,
                                           Throwable cause) {
        super(message(topic, targetType, data, previewLimit, cause), cause);
        this.topic = topic;
        this.targetType = targetType;
        this.length = data.length;
        this.previewBytes = Arrays.copyOf(data, Math.min(data.length, Math.max(0, previewLimit)));
    }

    /** @return the topic the bytes came from; may be null */
    public String topic() {
        return topic;
    }

    /** @return the type the bytes were meant to become */
    public String targetType() {
        return targetType;
    }

    /** @return the length of the raw bytes */
    public int length() {
        return length;
    }

    /** @return a copy of the first bytes of the raw data, at most the configured preview size */
    public byte[] previewBytes() {
        return previewBytes.clone();
    }

    /** @return the preview as readable text: UTF-8, invalid bytes as {@code \xNN}, control characters escaped */
    public String preview() {
        return render(previewBytes);
    }

    private static String message(String topic, String targetType, byte[] data, int previewLimit, Throwable cause) {
        byte[] head = Arrays.copyOf(data, Math.min(data.length, Math.max(0, previewLimit)));
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getMessage().lines().findFirst().orElse("");
        return "Cannot deserialize " + targetType + " from topic '" + topic + "' (" + data.length + " bytes: \""
                + render(head) + "\"" + (head.length < data.length ? "..." : "") + "): " + reason;
    }

    /** UTF-8 where valid; every invalid byte and every control character escaped. */
    static String render(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        StringBuilder sb = new StringBuilder(bytes.length + 16);
        while (in.hasRemaining()) {
            var result = decoder.decode(in, out, true);
            out.flip();
            appendEscaped(sb, out);
            out.clear();
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    sb.append(String.format("\\x%02X", in.get() & 0xFF));
                }
            } else if (result.isUnderflow()) {
                break;
            }
        }
        return sb.toString();
    }

    private static void appendEscaped(StringBuilder sb, CharSequence chars) {
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
