package io.kafkalab.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.utils.Utils;

/**
 * Before a command talks to Kafka: does a Kafka cluster answer at the bootstrap servers? Decides within about 6 s
 * and fails with one line ({@link Unreachable}) that names each address and why it did not answer, and what to do
 * next, where Kafka's own clients would retry in silence for a minute or longer.
 *
 * <p>Two steps:
 * <ol>
 *   <li>Each address is probed on its own, all at once, within {@link #PROBE_TIMEOUT}: the host name resolved, a
 *       TCP connection opened and, on PLAINTEXT and SASL_PLAINTEXT listeners, which answer it before any login, an
 *       ApiVersions request sent, the first request of every Kafka client. A wrong host name, a closed port and a
 *       server that answers but not in Kafka's protocol are told apart here, at once.</li>
 *   <li>When some address answered as Kafka, or could not be told apart (silent, or a TLS listener), an Admin
 *       client describes the cluster within {@link #CLUSTER_TIMEOUT}. That also reaches the brokers at their
 *       advertised addresses and logs in: authentication and TLS errors are thrown unchanged, for
 *       {@link KafkaLab#oneLineError(Exception)} to report as before.</li>
 * </ol>
 *
 * <p>Stateless and thread safe.
 */
final class ClusterCheck {

    /** Bound on each address's probe: resolve, connect, and read the answer to one request. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Bound on describing the cluster once an address looked like Kafka: 4 s, or the seconds in
     * {@code KAFKALAB_CLUSTER_WAIT} (containers started with their cluster wait for it to form).
     */
    static final Duration CLUSTER_TIMEOUT = clusterWait(System.getenv("KAFKALAB_CLUSTER_WAIT"));
    static Duration clusterWait(String seconds) {
        if (seconds == null || seconds.isBlank()) {
            return Duration.ofSeconds(4);
        }
        try {
            return Duration.ofSeconds(Math.max(1, Long.parseLong(seconds.trim())));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(4);
        }
    }

    /** What to do next, the end of every line about an unreachable cluster. */
    static final String ADVICE = "start one with ./kafkalab cluster, or pass --bootstrap-servers "
            + "(env KAFKA_BOOTSTRAP_SERVERS) with the address of yours";

    /** ApiVersions (key 18) version 0: every broker answers it, before authentication too. */
    private static final short API_VERSIONS = 18;
    /**
     * The request's correlation id, echoed in Kafka's answer. Its bytes are CR LF CR LF: a server of a line-based
     * protocol (HTTP, SMTP, Redis) that read the request then sees complete lines and answers with an error,
     * which tells it apart from Kafka at once instead of after a timeout.
     */
    private static final int CORRELATION_ID = 0x0D0A0D0A;
    private static final byte[] CLIENT_ID = "kafkalab-preflight".getBytes(StandardCharsets.US_ASCII);
    /** Larger than any ApiVersions answer; the first four bytes of "HTTP" read as a size are far above it. */
    private static final int MAX_ANSWER_BYTES = 1 << 20;

    private ClusterCheck() {
    }

    /** No Kafka cluster answered; the message is the whole line for the user. */
    static final class Unreachable extends KafkaException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message);
        }
    }

    /** How one address answered the probe. */
    enum Outcome {
        /** Answered ApiVersions: a Kafka broker. */
        KAFKA(true),
        /** Accepts connections; on a TLS listener the probe cannot say more. */
        CONNECTED(true),
        /** Accepts connections, but sent nothing back within the timeout. */
        SILENT(true),
        UNKNOWN_HOST(false),
        REFUSED(false),
        /** No TCP connection within the timeout, or no route. */
        NO_CONNECTION(false),
        /** Answered, but not in Kafka's protocol, or closed the connection without an answer. */
        NOT_KAFKA(false);

        final boolean worthAsking;

        Outcome(boolean worthAsking) {
            this.worthAsking = worthAsking;
        }
    }

    /**
     * @param address host:port as given
     * @param outcome what the probe found
     * @param detail  the reason in words, for the user
     */
    record Probe(String address, Outcome outcome, String detail) {
        @Override
        public String toString() {
            return address + " (" + detail + ")";
        }
    }

    /**
     * Checks that a Kafka cluster answers.
     *
     * @param bootstrapServers comma-separated host:port list
     * @param clientConfig     the client settings (security) other than {@code bootstrap.servers}; may be empty
     * @throws Unreachable              when none answers as Kafka; the message names every address and the next step
     * @throws IllegalArgumentException when an address is not host:port
     * @throws KafkaException           as the Admin client throws it: authentication, TLS, authorization errors
     */
    static void check(String bootstrapServers, Map<String, Object> clientConfig) {
        List<String> addresses = addresses(bootstrapServers);
        String protocol = String.valueOf(clientConfig.getOrDefault("security.protocol", "PLAINTEXT")).toUpperCase(
                java.util.Locale.ROOT);
        boolean tls = protocol.endsWith("SSL");
        List<CompletableFuture<Probe>> probes = addresses.stream()
                .map(a -> CompletableFuture.supplyAsync(() -> probe(a, tls, PROBE_TIMEOUT), daemonThreadPerTask()))
                .toList();
        List<Probe> results = probes.stream().map(CompletableFuture::join).toList();
        if (results.stream().noneMatch(p -> p.outcome().worthAsking)) {
            throw new Unreachable("no Kafka broker answers at " + describe(results) + "; " + ADVICE);
        }
        describeCluster(bootstrapServers, clientConfig, results);
    }

    private static void describeCluster(String bootstrapServers, Map<String, Object> clientConfig,
                                        List<Probe> results) {
        int timeoutMs = (int) CLUSTER_TIMEOUT.toMillis();
        Admin admin = admin(bootstrapServers, clientConfig, "kafkalab-preflight", CLUSTER_TIMEOUT);
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes()
                    .get(timeoutMs + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new Unreachable(noClusterAnswer(results));
            }
            throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new Unreachable(noClusterAnswer(results));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while checking the cluster at " + bootstrapServers, e);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    /**
     * @return an Admin client whose requests and calls give up after {@code timeout}, and that tries to reconnect
     *     at least once a second
     */
    static Admin admin(String bootstrapServers, Map<String, Object> clientConfig, String clientId, Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return Admin.create(config);
    }

    /** The line when an address accepted connections but the cluster did not describe itself in time. */
    private static String noClusterAnswer(List<Probe> results) {
        long seconds = CLUSTER_TIMEOUT.toSeconds();
        List<String> parts = new ArrayList<>();
        for (Probe p : results) {
            parts.add(switch (p.outcome()) {
                case KAFKA -> p.address() + " (a Kafka broker, but the cluster did not answer within " + seconds
                        + " s: can this machine reach the brokers' advertised listeners?)";
                case SILENT -> p.address() + " (accepts connections but gave no Kafka answer within " + seconds
                        + " s: is something else listening there?)";
                case CONNECTED -> p.address() + " (accepts connections but gave no Kafka answer over TLS within "
                        + seconds + " s: is it a Kafka TLS listener?)";
                default -> p.toString();
            });
        }
        return "no Kafka cluster answers at " + String.join(", ", parts) + "; " + ADVICE;
    }

    private static String describe(List<Probe> results) {
        return results.stream().map(Probe::toString).collect(Collectors.joining(", "));
    }

    /**
     * @return the host:port entries of a bootstrap list
     * @throws IllegalArgumentException when one is not host:port
     */
    static List<String> addresses(String bootstrapServers) {
        List<String> result = new ArrayList<>();
        for (String entry : bootstrapServers.split(",")) {
            String address = entry.trim();
            if (address.isEmpty()) {
                continue;
            }
            if (Utils.getHost(address) == null || Utils.getPort(address) == null) {
                throw new IllegalArgumentException("--bootstrap-servers must be host:port[,host:port...], but has '"
                        + address + "'");
            }
            result.add(address);
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("--bootstrap-servers must be host:port[,host:port...], but was '"
                    + bootstrapServers + "'");
        }
        return result;
    }

    /**
     * Probes one address within {@code timeout} in all.
     *
     * @param address host:port
     * @param tls     whether the listener speaks TLS (then only the TCP connection is checked)
     */
    static Probe probe(String address, boolean tls, Duration timeout) {
        String host = Utils.getHost(address);
        int port = Utils.getPort(address);
        long deadline = System.nanoTime() + timeout.toNanos();
        InetAddress ip;
        try {
            ip = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return new Probe(address, Outcome.UNKNOWN_HOST, "unknown host " + host);
        }
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(ip, port), remainingMillis(deadline));
            } catch (ConnectException e) {
                return new Probe(address, Outcome.REFUSED, "connection refused");
            } catch (SocketTimeoutException e) {
                return new Probe(address, Outcome.NO_CONNECTION, "no connection within " + timeout.toSeconds() + " s");
            } catch (NoRouteToHostException e) {
                return new Probe(address, Outcome.NO_CONNECTION, "no route to host");
            }
            if (tls) {
                return new Probe(address, Outcome.CONNECTED, "accepts connections");
            }
            try {
                socket.getOutputStream().write(apiVersionsRequest());
            } catch (IOException e) {
                // a server that spoke first (a banner) and closed may have left its answer to read
            }
            return answer(address, socket, deadline);
        } catch (IOException e) {
            return new Probe(address, Outcome.NOT_KAFKA, "the connection failed: " + e.getMessage());
        }
    }

    /** ApiVersions v0 with its size first: header v1 (key, version, correlation id, client id), empty body. */
    private static byte[] apiVersionsRequest() {
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + CLIENT_ID.length);
        b.putInt(b.capacity() - 4).putShort(API_VERSIONS).putShort((short) 0).putInt(CORRELATION_ID)
                .putShort((short) CLIENT_ID.length).put(CLIENT_ID);
        return b.array();
    }

    /** Reads the first bytes of the answer and tells whether they are Kafka's. */
    private static Probe answer(String address, Socket socket, long deadline) throws IOException {
        byte[] head = new byte[256];
        int read = 0;
        InputStream in = socket.getInputStream();
        try {
            while (read < 8) {
                socket.setSoTimeout(remainingMillis(deadline));
                int n = in.read(head, read, head.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
        } catch (SocketTimeoutException e) {
            if (read == 0) {
                return new Probe(address, Outcome.SILENT, "accepts connections, no answer");
            }
        } catch (IOException e) {
            if (read == 0) {
                return new Probe(address, Outcome.NOT_KAFKA, "closed the connection without a Kafka answer: "
                        + "a TLS listener? then pass --security-protocol SSL or SASL_SSL");
            }
        }
        if (read == 0) {
            return new Probe(address, Outcome.NOT_KAFKA, "closed the connection without a Kafka answer: "
                    + "a TLS listener? then pass --security-protocol SSL or SASL_SSL");
        }
        if (read >= 2 && (head[0] == 0x15 || head[0] == 0x16) && head[1] == 0x03) {
            // a TLS record (an alert or a handshake) with major version 3
            return new Probe(address, Outcome.NOT_KAFKA, "a TLS listener: it answered in TLS, so pass "
                    + "--security-protocol SSL or SASL_SSL");
        }
        if (read >= 8) {
            ByteBuffer b = ByteBuffer.wrap(head, 0, read);
            int size = b.getInt();
            if (size >= 6 && size <= MAX_ANSWER_BYTES && b.getInt() == CORRELATION_ID) {
                return new Probe(address, Outcome.KAFKA, "a Kafka broker");
            }
        }
        return new Probe(address, Outcome.NOT_KAFKA, "something else listens there: it answered "
                + printable(head, read));
    }

    /** The first line of an answer, quoted, when it is text; else its size. */
    static String printable(byte[] bytes, int length) {
        int end = 0;
        int printable = 0;
        while (end < length && bytes[end] != '\r' && bytes[end] != '\n') {
            if (bytes[end] >= 0x20 && bytes[end] < 0x7f) {
                printable++;
            }
            end++;
        }
        if (end == 0 || printable < end) {
            return length + " bytes that are not Kafka's protocol";
        }
        String line = new String(bytes, 0, end, StandardCharsets.US_ASCII);
        return "\"" + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "\"";
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("probe timeout");
        }
        return (int) left;
    }

    /** Each probe on its own daemon thread: a few addresses, a few seconds at most, never blocking the JVM's exit. */
    private static java.util.concurrent.Executor daemonThreadPerTask() {
        return task -> {
            Thread t = new Thread(task, "kafkalab-preflight");
            t.setDaemon(true);
            t.start();
        };
    }
}
