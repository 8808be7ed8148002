package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that talks to Kafka, pointed where no Kafka cluster answers (nothing listening, a host name that
 * does not resolve, an HTTP server, a TCP server that greets with a banner, one that stays silent), ends within
 * 10 s with exit code 1 and one line on stderr that names the address, why, and what to do next.
 */
// a check that breaks must fail the test, not leave a command waiting for a cluster forever
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnreachableClusterIT {

    /** The bound of the issue: within 10 s. In this JVM the check itself takes milliseconds, or 6 s when silent. */
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String ADVICE = "start one with ./kafkalab cluster, or pass --bootstrap-servers "
            + "(env KAFKA_BOOTSTRAP_SERVERS) with the address of yours";

    private static HttpServer http;
    private static ServerSocket banner;
    private static ServerSocket silent;
    private static ServerSocket kafkaLookAlike;
    private static final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServersThatAreNotKafka() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        http = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        http.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        http.start();
        banner = new ServerSocket(0, 50, loopback);
        silent = new ServerSocket(0, 50, loopback);
        accept(banner, s -> {
            try (OutputStream out = s.getOutputStream()) {
                out.write("SSH-2.0-kafkalab-test\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        });
        accept(silent, held::add); // accepts and never answers
        kafkaLookAlike = new ServerSocket(0, 50, loopback);
        accept(kafkaLookAlike, UnreachableClusterIT::answerTheFirstRequestOnly);
    }

    /**
     * Answers the first request with a size and its correlation id, as a broker frames its answers, then falls
     * silent: what a client sees of a broker whose advertised listeners it cannot reach, from the preflight's side.
     */
    private static void answerTheFirstRequestOnly(Socket s) throws IOException {
        held.add(s);
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        byte[] request = new byte[in.readInt()];
        in.readFully(request);
        java.nio.ByteBuffer answer = java.nio.ByteBuffer.allocate(4 + 4 + 2).putInt(6)
                .putInt(java.nio.ByteBuffer.wrap(request, 4, 4).getInt()).putShort((short) 0);
        s.getOutputStream().write(answer.array());
    }

    @AfterAll
    static void stop() throws IOException {
        http.stop(0);
        banner.close();
        silent.close();
        kafkaLookAlike.close();
        for (Socket s : held) {
            s.close();
        }
    }

    private interface Handler {
        void handle(Socket s) throws IOException;
    }

    private static void accept(ServerSocket server, Handler handler) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    handler.handle(server.accept());
                } catch (IOException e) {
                    // closed at the end of the class
                }
            }
        }, "not-kafka-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** One of each kind of command that talks to Kafka, each pointed at {@code address}. */
    private static List<String[]> everyCommand(String address) {
        return List.of(
                new String[] {"produce", "-b", address, "--count", "3"},
                new String[] {"console-producer", "-b", address},
                new String[] {"topics", "list", "-b", address},
                new String[] {"topics", "create", "-b", address, "-t", "new-topic"},
                new String[] {"consume-single", "-b", address, "--max-messages", "1"},
                new String[] {"consume-batch", "-b", address, "--max-messages", "25", "--commit-every", "10"},
                new String[] {"console-consumer", "-b", address, "--max-messages", "1"},
                new String[] {"consume-segmented", "-b", address, "--max-messages", "1"},
                new String[] {"http", "-b", address, "--port", "0"},
                new String[] {"lab", "-b", address});
    }

    /** The qualified command name, as the line starts: {@code kafkalab topics list}. */
    private static String name(String[] command) {
        return "kafkalab " + (command[0].equals("topics") ? "topics " + command[1] : command[0]);
    }

    private static void assertEveryCommandSays(String address, String why) {
        assertCommandsSay(everyCommand(address), why);
    }

    private static void assertCommandsSay(List<String[]> commands, String why) {
        for (String[] command : commands) {
            long begin = System.nanoTime();
            Cli.Result r = Cli.withInput("a line for console-producer\n", command);
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            String what = String.join(" ", command);
            assertThat(took).as("%s took %s", what, took).isLessThan(BOUND);
            assertThat(r.code()).as(what).isEqualTo(1);
            assertThat(r.err()).as(what).isEqualTo(name(command) + ": " + why + "; " + ADVICE + "\n");
            assertThat(r.out()).as(what).doesNotContain("sent", "consumed", "Serving", "SUMMARY");
        }
    }

    @Test
    void aPortWhereNothingListensIsNamedAsRefused() throws IOException {
        int port = closedPort();
        assertEveryCommandSays("127.0.0.1:" + port,
                "no Kafka broker answers at 127.0.0.1:" + port + " (connection refused)");
    }

    @Test
    void aHostNameThatDoesNotResolveIsNamed() {
        assertEveryCommandSays("kafka.no-such-host.invalid:9092",
                "no Kafka broker answers at kafka.no-such-host.invalid:9092 (unknown host kafka.no-such-host.invalid)");
    }

    @Test
    void anHttpServerIsToldApartFromKafkaByItsAnswer() {
        String address = "127.0.0.1:" + http.getAddress().getPort();
        assertEveryCommandSays(address, "no Kafka broker answers at " + address
                + " (something else listens there: it answered \"HTTP/1.1 400 Bad Request\")");
    }

    @Test
    void aTcpServerThatGreetsFirstIsToldApartFromKafkaByItsBanner() {
        String address = "127.0.0.1:" + banner.getLocalPort();
        assertEveryCommandSays(address, "no Kafka broker answers at " + address
                + " (something else listens there: it answered \"SSH-2.0-kafkalab-test\")");
    }

    @Test
    void aServerThatAcceptsButNeverAnswersIsReportedWithinTheBoundToo() {
        // this one waits out the check's timeouts (6 s): a producer and a consumer, not every command
        String address = "127.0.0.1:" + silent.getLocalPort();
        assertCommandsSay(everyCommand(address).subList(0, 5).stream().filter(c -> c[0].startsWith("produce")
                || c[0].startsWith("consume-single")).toList(), "no Kafka cluster answers at " + address
                + " (accepts connections but gave no Kafka answer within 4 s: is something else listening there?)");
    }

    @Test
    void aBrokerThatAnswersButWhoseClusterDoesNotIsNamedWithTheLikelyCause() {
        String address = "127.0.0.1:" + kafkaLookAlike.getLocalPort();
        assertCommandsSay(List.<String[]>of(new String[] {"produce", "-b", address}), "no Kafka cluster answers at "
                + address + " (a Kafka broker, but the cluster did not answer within 4 s: can this machine reach the "
                + "brokers' advertised listeners?)");
    }

    @Test
    void everyAddressOfTheListIsNamedWithItsOwnReason() throws IOException {
        int port = closedPort();
        String servers = "127.0.0.1:" + port + ",kafka.no-such-host.invalid:9093";
        Cli.Result r = Cli.run("produce", "-b", servers);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("kafkalab produce: no Kafka broker answers at 127.0.0.1:" + port
                + " (connection refused), kafka.no-such-host.invalid:9093 (unknown host kafka.no-such-host.invalid); "
                + ADVICE + "\n");
    }

    @Test
    void aMalformedAddressIsRefusedWithTheOptionNamed() {
        Cli.Result r = Cli.run("topics", "list", "-b", "localhost");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("kafkalab topics list: --bootstrap-servers must be host:port[,host:port...], "
                + "but has 'localhost'\n");
    }

    @TempDir
    Path logDir;

    /** As a user runs it: a JVM of its own from the packaged jar, so that anything else on stderr would show. */
    @Test
    void aSeparateJvmPrintsOnlyTheOneLineAndNoStackTrace() throws Exception {
        int port = closedPort();
        for (String command : List.of("produce", "consume-single")) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Dkafkalab.log.dir=" + logDir, "-jar", System.getProperty("kafkalab.examples.jar"),
                    command, "-b", "127.0.0.1:" + port));
            Path out = logDir.resolve(command + ".out");
            Path err = logDir.resolve(command + ".err");
            long begin = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            // the JVM's own start counts here, on a machine other builds share: generous
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(command + " ended").isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            assertThat(p.exitValue()).as(command).isEqualTo(1);
            assertThat(Files.readString(err)).as(command + " in %s", took).isEqualTo("kafkalab " + command
                    + ": no Kafka broker answers at 127.0.0.1:" + port + " (connection refused); " + ADVICE + "\n");
            assertThat(Files.readString(out)).as(command).isEmpty();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
