package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.examples.HttpApi;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 *   <li>{@code kafkalab http, 100-byte segments}: as the lab configured it, 11 segments per message.</li>
 * </ol>
 */
final class HttpBench {

    private static final Pattern PORT = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");

    private HttpBench() {
    }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        String body = "{\"message\": \"" + "x".repeat(s.httpMessageBytes()) + "\"}";
        return new Variants("http")
                .add("raw server", "JDK HttpServer + Jackson + KafkaProducer send().get(), 16 threads",
                        r -> load(JvmProcess.start(List.of("-Xmx512m"), RawHttpServerMain.class,
                                cluster.bootstrapServers(), Payloads.topic(cluster, "http-raw"), "16"), s, body))
                .add("kafkalab http", "kafkalab http --segment-bytes 1048576 (one segment per message)",
                        r -> load(kafkalab(cluster, "1048576"), s, body))
                .add("kafkalab http 100 B segments", "kafkalab http --segment-bytes 100 (the lab's; 11 segments"
                        + " per message)", r -> load(kafkalab(cluster, "100"), s, body))
                .run(s.repeats(), s.warmUp(), progress);
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
            URI uri = URI.create("http://127.0.0.1:" + m.group(1) + "/send_message");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            send(client, uri, body, Math.max(s.httpRequests() / 5, s.httpConcurrency()), s.httpConcurrency());
            return send(client, uri, body, s.httpRequests(), s.httpConcurrency());
        }
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
