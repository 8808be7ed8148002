package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.examples.HttpApi;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Comparison 4, the HTTP API: {@code POST /send_message} with 1 KB messages from a bounded load generator
 * ({@code httpConcurrency} clients, each sending its next request when the previous one is answered, until
 * {@code httpRequests} are answered), every server in its own JVM ({@code -Xmx512m}), after an uncounted
 * warm-up of its own. Every answer must be 200: the server answers only once Kafka acknowledged the message.
 * <ol>
 *   <li>{@code raw server}: the JDK's HTTP server, Jackson and a plain {@code KafkaProducer} with the
 *       AT_LEAST_ONCE preset's settings, {@code send().get()} per request ({@link RawHttpServerMain});</li>
 *   <li>{@code kafkalab http}: {@code kafkalab http} with segments large enough for one per message;</li>
 *   <li>{@code kafkalab http, 100-byte segments}: as the lab configured it, 11 segments per message;</li>
 *   <li>{@code lab flask} and {@code lab flask 100 B segments}: the lab's own app, seed 004's Flask code with
 *       kafka-python and {@code flush()} per request ({@code lab_flask_app.py}), on Debian's {@code python3}; left
 *       out, and said so, where Flask or kafka-python is not installed (kafkalab-bench/install-peers.sh).</li>
 * </ol>
 * The load generator is the same for all: this harness's own client, so every server gets the same.
 */
final class HttpBench {

    private static final Pattern PORT = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");

    private HttpBench() {
    }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        String body = "{\"message\": \"" + "x".repeat(s.httpMessageBytes()) + "\"}";
        boolean flask = flask();
        if (!flask) {
            progress.line("  http: Flask or kafka-python not importable by /usr/bin/python3, the lab's app skipped"
                    + " (kafkalab-bench/install-peers.sh)");
        }
        Variants v = new Variants("http")
                .add("raw server", "JDK HttpServer + Jackson + KafkaProducer send().get(), 16 threads",
                        r -> load(JvmProcess.start(List.of("-Xmx512m"), RawHttpServerMain.class,
                                cluster.bootstrapServers(), Payloads.topic(cluster, "http-raw"), "16"), s, body))
                .add("kafkalab http", "kafkalab http --segment-bytes 1048576 (one segment per message)",
                        r -> load(kafkalab(cluster, "1048576"), s, body))
                .add("kafkalab http 100 B segments", "kafkalab http --segment-bytes 100 (the lab's; 11 segments"
                        + " per message)", r -> load(kafkalab(cluster, "100"), s, body));
        if (flask) {
            Path app = Files.createTempFile("kafkalab-lab-flask-", ".py");
            try (InputStream in = HttpBench.class.getResourceAsStream("lab_flask_app.py")) {
                Files.write(app, in.readAllBytes());
            }
            app.toFile().deleteOnExit();
            v.add("lab flask", "seed 004's Flask app: kafka-python, send + flush() per request",
                    r -> loadFlask(app, cluster, Payloads.topic(cluster, "http-flask"), "0", s, body));
            v.add("lab flask 100 B segments", "seed 004's segmented_send(message, 100): 11 sends, one flush()",
                    r -> loadFlask(app, cluster, Payloads.topic(cluster, "http-flask"), "100", s, body));
        }
        return v.run(s.repeats(), s.warmUp(), progress);
    }

    /** @return whether Debian's python3 has Flask and kafka-python */
    static boolean flask() {
        if (!Files.isExecutable(PeerBench.PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PeerBench.PYTHON.toString(), "-c", "import flask, kafka")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Measurement loadFlask(Path app, KafkaCluster cluster, String topic, String chunk, BenchSettings s,
                                         String body) throws Exception {
        int port = KafkaTestUtils.freePortRange(1);
        Path log = Files.createTempFile("kafkalab-lab-flask-", ".log");
        Process p = new ProcessBuilder(PeerBench.PYTHON.toString(), app.toString(), cluster.bootstrapServers(), topic,
                String.valueOf(port), chunk).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!listening(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the lab's Flask app did not start: " + Files.readString(log));
                }
                p.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return warmAndLoad(URI.create("http://127.0.0.1:" + port + "/send_message"), s, body);
        } finally {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static JvmProcess kafkalab(KafkaCluster cluster, String segmentBytes) {
        return JvmProcess.start(List.of("-Xmx512m"), HttpApi.class, "--bootstrap-servers",
                cluster.bootstrapServers(), "--topic", Payloads.topic(cluster, "http"), "--port", "0",
                "--segment-bytes", segmentBytes, "--threads", "16");
    }

    /** Warms the server up, then sends the counted requests; stops the server. */
    private static Measurement load(JvmProcess server, BenchSettings s, String body) throws Exception {
        try (server) {
            Matcher m = PORT.matcher(server.awaitLine(l -> PORT.matcher(l).find(), Duration.ofSeconds(60)));
            if (!m.find()) {
                throw new IllegalStateException("no port");
            }
            return warmAndLoad(URI.create("http://127.0.0.1:" + m.group(1) + "/send_message"), s, body);
        }
    }

    private static Measurement warmAndLoad(URI uri, BenchSettings s, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        send(client, uri, body, Math.max(s.httpRequests() / 5, s.httpConcurrency()), s.httpConcurrency());
        return send(client, uri, body, s.httpRequests(), s.httpConcurrency());
    }

    private static Measurement send(HttpClient client, URI uri, String body, int requests, int concurrency)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long begin = System.nanoTime();
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                clients.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        long start = System.nanoTime();
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        latencies[i] = System.nanoTime() - start;
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        return new Measurement(requests, (long) requests * body.length(), seconds, latencies, -1, -1, -1);
    }
}
