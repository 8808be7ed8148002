package io.kafkalab.examples;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
            ConsumeCommand.Batch.class, ConsumeSharedCommand.class, TopicsCommand.class, ConsoleProducerCommand.class,
            ConsoleConsumerCommand.class, HttpCommand.class, ConsumeSegmentedCommand.class, UiCommand.class, ZkShellCommand.class,
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
     * The system properties the examples' log4j2 configuration reads: {@code kafkalab.broker.level} from
     * {@code KAFKALAB_BROKER_LOG_LEVEL}, and {@code kafkalab.console.level=INFO} when {@code -v} or
     * {@code --verbose} is among the options (before a {@code --} that ends them).
     *
     * @param brokerLevel the environment variable's value, may be null
     * @param args        the command line
     * @return the properties to set, empty when none
     */
    static java.util.Map<String, String> logSettings(String brokerLevel, String... args) {
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        if (brokerLevel != null && !brokerLevel.isBlank()) {
            settings.put("kafkalab.broker.level", brokerLevel.trim());
        }
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            if (arg.equals("-v") || arg.equals("--verbose")) {
                settings.put("kafkalab.console.level", "INFO");
            }
        }
        return settings;
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
        // before any logger exists, so before the commands are built (their classes' static loggers start log4j2,
        // which reads these properties once)
        logSettings(System.getenv("KAFKALAB_BROKER_LOG_LEVEL"), args).forEach(System::setProperty);
        KafkaLab root = new KafkaLab();
        root.in = in;
        CommandLine cli = new CommandLine(root);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionStrategy(parseResult -> {
            checkCluster(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            String message = oneLineError(e);
            if (message == null) {
                throw e;
            }
            command.getErr().println(command.getCommandSpec().qualifiedName(" ") + ": " + message
                    + deniedPrincipal(e, command));
            return 1;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** @return {@code " as user bob"} after a refusal by the cluster's authorizer, when the user is known; else "" */
    private static String deniedPrincipal(Exception e, CommandLine command) {
        for (CommandLine.Model.CommandSpec mixin : command.getCommandSpec().mixins().values()) {
            if (mixin.userObject() instanceof KafkaOptions kafka) {
                return deniedPrincipal(e, kafka);
            }
        }
        return "";
    }

    /** @return {@code " as user bob"} after a refusal by the cluster's authorizer, when the user is known; else "" */
    static String deniedPrincipal(Exception e, KafkaOptions kafka) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.kafkalab.NotAuthorizedException
                    || t instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return kafka.principal().map(p -> " as " + p).orElse("");
            }
        }
        return "";
    }

    /**
     * Before a command that talks to Kafka (one with the {@link KafkaOptions} options) runs: checks that a cluster
     * answers there, so that a cluster that is not running, a wrong host name or a port where something else
     * listens is reported in one line within seconds ({@link ClusterCheck}), not after a long silent retry.
     * Skipped for {@code --help} and {@code --version}.
     *
     * @throws CommandLine.ExecutionException with the check's error, for the execution exception handler
     */
    private static void checkCluster(CommandLine.ParseResult parseResult) {
        List<CommandLine> commands = parseResult.asCommandLineList();
        if (commands.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested())) {
            return;
        }
        CommandLine leaf = commands.get(commands.size() - 1);
        if (leaf.getCommandSpec().userObject() instanceof StartsWithoutCluster) {
            return;
        }
        for (CommandLine.Model.CommandSpec mixin : leaf.getCommandSpec().mixins().values()) {
            if (mixin.userObject() instanceof KafkaOptions kafka) {
                try {
                    kafka.checkCluster();
                } catch (RuntimeException e) {
                    throw new CommandLine.ExecutionException(leaf, e.getMessage(), e);
                }
            }
        }
    }

    /**
     * The one line a user sees for an error that is theirs to fix, without a stack trace: no cluster at the address,
     * wrong credentials, an untrusted certificate, a refused operation, settings that do not fit together. Anything else keeps picocli's
     * default (the stack trace).
     *
     * @return the line, or null for other errors
     */
    static String oneLineError(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.kafkalab.NotAuthorizedException) {
                return t.getMessage(); // "not authorized to WRITE topic 'orders'"
            }
            if (t instanceof ClusterCheck.Unreachable) {
                return t.getMessage();
            }
            if (t instanceof org.apache.kafka.common.errors.SaslAuthenticationException) {
                return "authentication failed: " + t.getMessage();
            }
            if (t instanceof org.apache.kafka.common.errors.SslAuthenticationException) {
                Throwable root = t;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                return "TLS handshake failed: " + root.getMessage()
                        + " (is --ssl-truststore-location the trust store of the brokers' CA?)";
            }
            if (t instanceof org.apache.kafka.common.errors.AuthenticationException
                    || t instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return "not allowed: " + t.getMessage();
            }
        }
        return e instanceof IllegalArgumentException ? e.getMessage() : null;
    }

    /**
     * A command with the {@link KafkaOptions} options that starts without a cluster (the UI, which shows that the
     * cluster is away and recovers when it comes), so the check before it runs is skipped.
     */
    interface StartsWithoutCluster {
    }

    /** Reports the project version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KafkaLab.class.getPackage().getImplementationVersion();
            return new String[] {"kafkalab " + (v == null ? "(development build)" : v)
                    + ", Apache Kafka " + org.apache.kafka.common.utils.internals.AppInfoParser.getVersion()};
        }
    }
}
