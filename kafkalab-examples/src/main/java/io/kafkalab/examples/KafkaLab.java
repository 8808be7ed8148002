package io.kafkalab.examples;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
        subcommands = {LabCommand.class, ClusterCommand.class, ProduceCommand.class, ConsumeCommand.Single.class,
            ConsumeCommand.Batch.class, TopicsCommand.class, ConsoleProducerCommand.class,
            ConsoleConsumerCommand.class, HttpCommand.class, ConsumeSegmentedCommand.class,
            CommandLine.HelpCommand.class})
public final class KafkaLab {

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Also show logs (kafkalab at INFO, brokers at WARN; more with KAFKALAB_BROKER_LOG_LEVEL) "
                    + "on stderr.")
    boolean verbose;

    /** Standard input of the commands that read it (console-producer, cluster). */
    InputStream in = System.in;

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
     * Runs one command as a plain main (for the app classes such as {@link Producer}) and exits with its code.
     *
     * @param command the subcommand, for example {@code produce}
     * @param args    its options
     */
    static void runAndExit(String command, String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        System.exit(run(all));
    }

    /**
     * Runs the command line on the process's standard streams.
     *
     * @param args command and options
     * @return the exit code
     */
    public static int run(String... args) {
        return run(System.in, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8), args);
    }

    /**
     * Runs the command line on the given streams (tests run commands in-process this way).
     *
     * @param in   standard input
     * @param out  standard output
     * @param err  standard error
     * @param args command and options
     * @return the exit code
     */
    public static int run(InputStream in, PrintWriter out, PrintWriter err, String... args) {
        KafkaLab root = new KafkaLab();
        root.in = in;
        CommandLine cli = new CommandLine(root);
        cli.setOut(out);
        cli.setErr(err);
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
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
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
