package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.examples.KafkaLab;
import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * picocli passes every line of help through {@link String#format}: a bare {@code %} ("1 % of the records") makes it
 * print a {@code [picocli WARN] Could not format ...} line above the help. Every text of {@code ./kafkalab} and
 * {@code ./kafkalab bench}, with their subcommands, options and parameters, must format.
 */
class HelpTextTest {

    @Test
    void everyHelpTextOfEveryCommandFormatsWithoutAWarning() {
        List<String> broken = new ArrayList<>();
        for (CommandLine root : List.of(new CommandLine(KafkaLab.class), new CommandLine(new BenchCommand()))) {
            collect(root, broken);
        }
        assertThat(broken).isEmpty();
    }

    private static void collect(CommandLine command, List<String> broken) {
        CommandSpec spec = command.getCommandSpec();
        List<String> texts = new ArrayList<>();
        Stream.of(spec.usageMessage().description(), spec.usageMessage().header(), spec.usageMessage().footer())
                .forEach(lines -> texts.addAll(List.of(lines)));
        for (ArgSpec arg : spec.args()) {
            texts.addAll(List.of(arg.description()));
        }
        for (String text : texts) {
            try {
                String.format(text);
            } catch (IllegalFormatException e) {
                broken.add(spec.qualifiedName() + ": " + e.getMessage() + " in \"" + text + "\"");
            }
        }
        command.getSubcommands().values().forEach(sub -> collect(sub, broken));
    }
}
