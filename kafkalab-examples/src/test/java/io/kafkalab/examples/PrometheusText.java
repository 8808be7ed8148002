package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, for the tests of {@code GET /metrics}: every line is blank, a
 * {@code # HELP} or {@code # TYPE} comment, or {@code name{label="value",...} number}; anything else fails the test.
 */
final class PrometheusText {

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*\\})? "
                    + "(-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

    private PrometheusText() {
    }

    /** @return every sample, keyed by its name and labels as written ({@code name{a="b"}}), in order */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                assertThat(line).as("a comment line").matches(COMMENT);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            assertThat(samples.put(key, Double.parseDouble(m.group(3).replace("Inf", "Infinity"))))
                    .as("%s appears once", key).isNull();
        }
        return samples;
    }

    /** @return the one sample whose name is {@code name} and whose labels include every {@code label="value"} given */
    static double value(Map<String, Double> samples, String name, String... labels) {
        return samples.entrySet().stream()
                .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .filter(e -> java.util.Arrays.stream(labels).allMatch(l -> e.getKey().contains(l)))
                .mapToDouble(Map.Entry::getValue).reduce((a, b) -> {
                    throw new AssertionError("more than one sample " + name + " with " + String.join(",", labels));
                }).orElseThrow(() -> new AssertionError("no sample " + name + " with " + String.join(",", labels)
                        + " in " + samples.keySet()));
    }
}
