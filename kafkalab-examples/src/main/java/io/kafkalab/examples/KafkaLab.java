package io.kafkalab.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code kafkalab} command line: one entry point for every example, reached through the
 * {@code ./kafkalab} launcher at the repository root.
 *
 * <p>Output meant for people goes to stdout and stderr; logs go to a file (see {@code log4j2.xml}).
 */
@Command(name = "kafkalab", mixinStandardHelpOptions = true, versionProvider = KafkaLab.Version.class,
        description = "The Apache Kafka lab, in Java: an embedded cluster and the lab's apps.",
        subcommands = {ClusterCommand.class, CommandLine.HelpCommand.class})
public final class KafkaLab {

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Also show logs (kafkalab at INFO, brokers at WARN; more with KAFKALAB_BROKER_LOG_LEVEL) "
                    + "on stderr.")
    boolean verbose;

    private KafkaLab() {
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args command and options
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line.
     *
     * @param args command and options
     * @return the exit code
     */
    public static int run(String... args) {
        KafkaLab root = new KafkaLab();
        CommandLine cli = new CommandLine(root);
        cli.setExecutionStrategy(parseResult -> {
            // before any logger exists: log4j2 reads these when it first starts
            String envLevel = System.getenv("KAFKALAB_BROKER_LOG_LEVEL");
            if (envLevel != null && !envLevel.isBlank()) {
                System.setProperty("kafkalab.broker.level", envLevel.trim());
            }
            if (root.verbose || parseResult.subcommands().stream()
                    .anyMatch(p -> p.hasMatchedOption("--verbose"))) {
                System.setProperty("kafkalab.console.level", "INFO");
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        return cli.execute(args);
    }

    /** Reports the project version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KafkaLab.class.getPackage().getImplementationVersion();
            return new String[] {"kafkalab " + (v == null ? "(development build)" : v)
                    + ", Apache Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion()};
        }
    }
}
