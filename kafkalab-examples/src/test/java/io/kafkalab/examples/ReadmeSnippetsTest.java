package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Checks the documentation (README.md and every markdown file under docs/) against the repository.
 * <ul>
 *   <li>Every code block that follows a {@code <!-- snippet: PATH#TAG -->} comment must equal the region between
 *       {@code // tag::TAG[]} and {@code // end::TAG[]} in that file (PATH from the repository root), which the
 *       build compiles and runs. So examples in the docs cannot drift from working code.</li>
 *   <li>Every relative link points to a file that exists and, with a {@code #fragment} into a markdown file, to a
 *       heading of that file (GitHub's anchors). So moving or renaming a section cannot leave a dead link.</li>
 * </ul>
 */
class ReadmeSnippetsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SNIPPET = Pattern.compile(
            "<!-- snippet: (\\S+)#(\\S+) -->\\s*```\\w*\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*```.*?^\\s*```[^\\n]*$",
            Pattern.DOTALL | Pattern.MULTILINE);
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void snippetsInEveryPageEqualTheCodeTheBuildRuns() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        List<String> checked = new ArrayList<>();
        for (Path page : pages()) {
            String text = Files.readString(page);
            int markers = count(text, "<!-- snippet:");
            Matcher m = SNIPPET.matcher(text);
            int found = 0;
            while (m.find()) {
                found++;
                String where = "%s: snippet %s#%s".formatted(relative(page), m.group(1), m.group(2));
                Path source = ROOT.resolve(m.group(1));
                if (!Files.isRegularFile(source)) {
                    softly.fail("%s: no such file", where);
                    continue;
                }
                String region = region(Files.readString(source), m.group(2));
                if (region == null) {
                    softly.fail("%s: no // tag::%s[] ... // end::%s[] in the file", where, m.group(2), m.group(2));
                    continue;
                }
                softly.assertThat(normalize(m.group(3))).as(where).isEqualTo(normalize(region));
                checked.add(relative(page) + " " + m.group(1) + "#" + m.group(2));
            }
            softly.assertThat(found).as("%s: snippet comments directly followed by a code block", relative(page))
                    .isEqualTo(markers);
        }
        softly.assertAll();
        assertThat(checked).as("snippets found under docs/").anyMatch(s -> s.startsWith("docs/"));
    }

    @Test
    void relativeLinksPointToExistingFilesAndHeadings() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        Map<Path, Set<String>> anchors = new HashMap<>();
        int links = 0;
        for (Path page : pages()) {
            String prose = INLINE_CODE.matcher(FENCE.matcher(Files.readString(page)).replaceAll(""))
                    .replaceAll("code");
            Matcher m = LINK.matcher(prose);
            while (m.find()) {
                String target = m.group(1);
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                links++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                String where = "%s: link (%s)".formatted(relative(page), target);
                if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
                    softly.fail("%s: no such file %s", where, ROOT.relativize(resolved));
                    continue;
                }
                if (hash >= 0 && resolved.toString().endsWith(".md")) {
                    Set<String> known = anchors.computeIfAbsent(resolved, ReadmeSnippetsTest::anchorsOf);
                    softly.assertThat(known).as("%s: headings of %s", where, relative(resolved))
                            .contains(target.substring(hash + 1));
                }
            }
        }
        softly.assertAll();
        assertThat(links).as("relative links checked").isPositive();
    }

    /** README.md and every markdown file under docs/. */
    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
    private static Set<String> anchorsOf(Path page) {
        String text;
        try {
            text = FENCE.matcher(Files.readString(page)).replaceAll("");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String slug = h.group(1).toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }

    private static String region(String source, String tag) {
        int start = source.indexOf("// tag::" + tag + "[]");
        int end = source.indexOf("// end::" + tag + "[]");
        if (start < 0 || end < start) {
            return null;
        }
        return source.substring(source.indexOf('\n', start) + 1, end);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static String relative(Path page) {
        return ROOT.relativize(page).toString();
    }

    private static String normalize(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
