package io.kafkalab.examples.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.CustomMessageDeserializer;
import io.kafkalab.message.JsonDeserializer;
import io.kafkalab.message.MessageDeserializationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How the UI shows the bytes of a key, a value or a header: UTF-8 text when they are valid UTF-8 (with an indented
 * copy when the text is a JSON object or array), base64 otherwise; cut at a number of characters, saying so. The
 * text is data for the page, which always inserts it as text, never as markup.
 *
 * @param format    {@code null} (no bytes), {@code text}, {@code json} or {@code binary} (base64 in {@code text})
 * @param text      the text, cut at the limit; null when the bytes were null
 * @param pretty    the JSON indented (also cut at the limit), or null when not JSON
 * @param customMessage the lab's {@link CustomMessage} read from the JSON ({@code {"key": ..., "value": ...}}, as
 *                  kafkalab-core's serde reads it), its key and value cut at the limit; null when it is not one
 * @param bytes     the length in bytes, 0 for null
 * @param truncated whether {@code text} (or {@code pretty}) was cut
 */
record ValueText(String format, String text, String pretty, CustomMessage customMessage, int bytes,
                 boolean truncated) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonDeserializer<CustomMessage> CUSTOM_MESSAGE = new CustomMessageDeserializer();

    /**
     * @param value    the bytes, or null
     * @param maxChars the most characters kept of the text and of the indented JSON, at least 1
     * @return how to show them
     */
    static ValueText of(byte[] value, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be >= 1, but was " + maxChars);
        }
        if (value == null) {
            return new ValueText("null", null, null, null, 0, false);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            String base64 = Base64.getEncoder().encodeToString(value);
            return new ValueText("binary", cut(base64, maxChars), null, null, value.length,
                    base64.length() > maxChars);
        }
        String pretty = pretty(text);
        CustomMessage custom = pretty == null ? null : customMessage(value);
        boolean truncated = text.length() > maxChars || (pretty != null && pretty.length() > maxChars)
                || (custom != null && (custom.key().length() > maxChars || custom.value().length() > maxChars));
        return new ValueText(pretty == null ? "text" : "json", cut(text, maxChars),
                pretty == null ? null : cut(pretty, maxChars),
                custom == null ? null : new CustomMessage(cut(custom.key(), maxChars), cut(custom.value(), maxChars)),
                value.length, truncated);
    }

    /** The lab's message, when the JSON is one (the serde the lab's consumers use decides); null otherwise. */
    private static CustomMessage customMessage(byte[] json) {
        try {
            return CUSTOM_MESSAGE.deserialize("", json);
        } catch (MessageDeserializationException e) {
            return null;
        }
    }

    /** The text indented, when it is a JSON object or array; null otherwise (plain words, numbers, bad JSON). */
    private static String pretty(String text) {
        String trimmed = text.strip();
        if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(trimmed);
            return node == null ? null : JSON.writeValueAsString(node);
        } catch (IOException e) {
            return null;
        }
    }

    /** Cuts at a character limit without splitting a surrogate pair. */
    private static String cut(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return text.substring(0, end);
    }

    /**
     * @param needle lower-case text to find
     * @return whether the text (not cut) contains it, ignoring case
     */
    static boolean contains(byte[] value, String needle) {
        return value != null && new String(value, StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT)
                .contains(needle);
    }
}
