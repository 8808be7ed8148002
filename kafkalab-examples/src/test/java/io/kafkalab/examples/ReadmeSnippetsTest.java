package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every code block in the README that follows a {@code <!-- snippet: PATH#TAG -->} comment must equal the
 * region between {@code // tag::TAG[]} and {@code // end::TAG[]} in that file, which the build compiles and
 * runs. So README examples cannot drift from working code.
 */
class ReadmeSnippetsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SNIPPET = Pattern.compile(
            "<!-- snippet: (\\S+)#(\\S+) -->\\s*```\\w*\\n(.*?)```", Pattern.DOTALL);

    @Test
    void readmeSnippetsEqualTheCodeTheBuildRuns() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = SNIPPET.matcher(readme);
        List<String> checked = new ArrayList<>();
        while (m.find()) {
            String source = Files.readString(ROOT.resolve(m.group(1)));
            assertThat(normalize(m.group(3))).as("README snippet %s#%s", m.group(1), m.group(2))
                    .isEqualTo(normalize(region(source, m.group(2), m.group(1))));
            checked.add(m.group(1) + "#" + m.group(2));
        }
        assertThat(checked).as("snippets found in README.md").isNotEmpty();
    }

    private static String region(String source, String tag, String file) {
        int start = source.indexOf("// tag::" + tag + "[]");
        int end = source.indexOf("// end::" + tag + "[]");
        assertThat(start).as("tag %s in %s", tag, file).isNotNegative();
        assertThat(end).as("end of tag %s in %s", tag, file).isGreaterThan(start);
        return source.substring(source.indexOf('\n', start) + 1, end);
    }

    private static String normalize(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
