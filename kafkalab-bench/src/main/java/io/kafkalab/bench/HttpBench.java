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
 * Comparison 4, the HTTP API: {@code POST /send_message} with 1 KB messages from a closed-loop load generator
 * ({@code httpConcurrency} connections, each sending its next request when the previous one is answered), every
 * server in its own process ({@code -Xmx512m} for the JVM ones), after an uncounted warm-up of its own. Every
 * answer must be 200: the server answers only once Kafka acknowledged the message.
 * <ol>
 *   <li>{@code raw server}: the JDK's HTTP server, Jackson and a plain {@code KafkaProducer} with the
 *       AT_LEAST_ONCE preset's settings, {@code send().get()} per request ({@link RawHttpServerMain});</li>
 *   <li>{@code kafkalab http}: {@code kafkalab http} with segments large enough for one per message;</li>
 *   <li>{@code kafkalab http, 100-byte segments}: as the lab configured it, 11 segments per message;</li>
 *   <li>{@code lab flask} and {@code lab flask 100 B segments}: the lab's own app, seed 004's Flask code with
 *       kafka-python and {@code flush()} per request ({@code lab_flask_app.py}), on Debian's {@code python3}; left
 *       out, and said so, where Flask or kafka-python is not installed (kafkalab-bench/install-peers.sh);</li>
 *   <li>with {@code httpWideConcurrency} above 0, {@code kafkalab http} and {@code lab flask} again at that many
 *       connections (issue 17: no errors at 256).</li>
 * </ol>
 * The load generator is the same for every server of a run: Debian's {@code wrk} where installed (a C client that
 * costs the two cores little, run for {@code httpSeconds}; its latency distribution comes back as 1 000 quantiles
 * from a Lua {@code done} hook), else this harness's own client ({@code httpRequests} requests through the JDK's
 * {@code HttpClient}), which the report names.
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
        // a server's first requests wait for its producer's metadata and for the JIT: never counted
        Generator generator = wrk() ? new Wrk(s.httpSeconds(), Math.max(1, s.httpSeconds() / 5))
                : new JdkClient(s.httpRequests());
        progress.line("  http: load from " + generator.describe());
        int c = s.httpConcurrency();
        String linger = s.httpLingerMs() >= 0 ? " --linger-ms " + s.httpLingerMs() : "";
        String at = " (" + c + " connections, " + generator.name() + ")";
        Variants v = new Variants("http")
                .add("raw server", "JDK HttpServer + Jackson + KafkaProducer send().get(), 16 threads" + at,
                        r -> load(JvmProcess.start(List.of("-Xmx512m"), RawHttpServerMain.class,
                                cluster.bootstrapServers(), Payloads.topic(cluster, "http-raw"), "16"), generator, c,
                                body))
                .add("kafkalab http", "kafkalab http --segment-bytes 1048576" + linger
                        + " (one segment per message)" + at,
                        r -> load(kafkalab(cluster, "1048576", s), generator, c, body))
                .add("kafkalab http 100 B segments", "kafkalab http --segment-bytes 100" + linger
                        + " (the lab's; 11 segments"
                        + " per message)" + at, r -> load(kafkalab(cluster, "100", s), generator, c, body));
        int wide = s.httpWideConcurrency();
        String wideAt = " (" + wide + " connections, " + generator.name() + ")";
        if (wide > 0) {
            v.add(WIDE_KAFKALAB, "kafkalab http --segment-bytes 1048576" + linger + wideAt,
                    r -> load(kafkalab(cluster, "1048576", s), generator, wide, body));
        }
        if (flask) {
            Path app = Files.createTempFile("kafkalab-lab-flask-", ".py");
            try (InputStream in = HttpBench.class.getResourceAsStream("lab_flask_app.py")) {
                Files.write(app, in.readAllBytes());
            }
            app.toFile().deleteOnExit();
            String topic = Payloads.topic(cluster, "http-flask");
            v.add("lab flask", "seed 004's Flask app: kafka-python, send + flush() per request" + at,
                    r -> loadFlask(app, cluster, topic, "0", generator, c, body));
            v.add("lab flask 100 B segments", "seed 004's segmented_send(message, 100): 11 sends, one flush()" + at,
                    r -> loadFlask(app, cluster, topic, "100", generator, c, body));
            if (wide > 0) {
                v.add(WIDE_FLASK, "seed 004's Flask app" + wideAt,
                        r -> loadFlask(app, cluster, topic, "0", generator, wide, body));
            }
        }
        return v.run(s.repeats(), s.warmUpRounds(), progress);
    }

    /** The variant names of the run at {@code httpWideConcurrency} connections. */
    static final String WIDE_KAFKALAB = "kafkalab http, wide";
    static final String WIDE_FLASK = "lab flask, wide";

    /** @return whether Debian's {@code wrk} is installed */
    static boolean wrk() {
        return PeerBench.run(List.of("wrk", "--version"), Duration.ofSeconds(10)).output().startsWith("wrk ");
    }

    /** @return whether Debian's python3 has Flask and kafka-python */
    static boolean flask() {
        return Files.isExecutable(PeerBench.PYTHON) && PeerBench.run(
                List.of(PeerBench.PYTHON.toString(), "-c", "import flask, kafka"), Duration.ofSeconds(30)).exit() == 0;
    }

    private static Measurement loadFlask(Path app, KafkaCluster cluster, String topic, String chunk,
                                         Generator generator, int connections, String body) throws Exception {
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
            return generator.warmAndLoad(URI.create("http://127.0.0.1:" + port + "/send_message"), connections, body);
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

    private static JvmProcess kafkalab(KafkaCluster cluster, String segmentBytes, BenchSettings s) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", cluster.bootstrapServers(), "--topic",
                Payloads.topic(cluster, "http"), "--port", "0", "--segment-bytes", segmentBytes, "--threads", "16"));
        if (s.httpLingerMs() >= 0) {
            args.addAll(List.of("--linger-ms", String.valueOf(s.httpLingerMs())));
        }
        return JvmProcess.start(List.of("-Xmx512m"), HttpApi.class, args.toArray(String[]::new));
    }

    /** Warms the server up, then sends the counted load; stops the server. */
    private static Measurement load(JvmProcess server, Generator generator, int connections, String body)
            throws Exception {
        try (server) {
            Matcher m = PORT.matcher(server.awaitLine(l -> PORT.matcher(l).find(), Duration.ofSeconds(60)));
            if (!m.find()) {
                throw new IllegalStateException("no port");
            }
            return generator.warmAndLoad(URI.create("http://127.0.0.1:" + m.group(1) + "/send_message"),
                    connections, body);
        }
    }

    /** A closed-loop load: {@code connections} clients, each sending its next request when answered. */
    interface Generator {

        /** @return its short name for the variants' notes */
        String name();

        /** @return what it is and how long it runs, for the progress line */
        String describe();

        /**
         * Runs an uncounted warm-up, then the counted load; fails unless every answer was a 200.
         *
         * @return requests answered, their bytes, the time, and the latencies (or their quantiles)
         */
        Measurement warmAndLoad(URI uri, int connections, String body) throws Exception;
    }

    /** Debian's {@code wrk}: two threads, a fixed time, the distribution written out by a Lua {@code done} hook. */
    record Wrk(int seconds, int warmUpSeconds) implements Generator {

        @Override
        public String name() {
            return "wrk";
        }

        @Override
        public String describe() {
            return "wrk, 2 threads, " + seconds + " s per run after a " + warmUpSeconds + " s warm-up";
        }

        @Override
        public Measurement warmAndLoad(URI uri, int connections, String body) throws Exception {
            if (warmUpSeconds > 0) {
                run(uri, connections, body, warmUpSeconds);
            }
            return run(uri, connections, body, seconds);
        }

        private static Measurement run(URI uri, int connections, String body, int seconds) throws IOException {
            Path script = Files.createTempFile("kafkalab-wrk-", ".lua");
            Path result = Files.createTempFile("kafkalab-wrk-", ".txt");
            try {
                Files.writeString(script, script(body, result));
                PeerBench.Result r = PeerBench.run(List.of("wrk", "-t", String.valueOf(Math.min(2, connections)),
                        "-c", String.valueOf(connections), "-d", seconds + "s", "--timeout", "30s", "-s",
                        script.toString(), uri.toString()), Duration.ofSeconds(seconds + 60L));
                List<String> lines = Files.readAllLines(result);
                if (r.exit() != 0 || lines.size() != 2) {
                    throw new IllegalStateException("wrk failed (exit " + r.exit() + "): " + r.output());
                }
                return parse(lines.get(0), lines.get(1), body.length());
            } finally {
                Files.deleteIfExists(script);
                Files.deleteIfExists(result);
            }
        }

        /** The Lua script: a POST of {@code body}, and a {@code done} hook writing two lines to {@code result}. */
        static String script(String body, Path result) {
            if (body.contains("]==]") || result.toString().contains("]==]")) {
                throw new IllegalArgumentException("body or path closes a Lua long string");
            }
            return """
                    wrk.method = "POST"
                    wrk.body = [==[%s]==]
                    wrk.headers["Content-Type"] = "application/json"
                    done = function(summary, latency, requests)
                      local f = io.open([==[%s]==], "w")
                      local e = summary.errors
                      f:write(string.format("requests=%%d duration_us=%%d connect=%%d read=%%d write=%%d status=%%d"
                        .. " timeout=%%d\\n", summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
                        e.timeout))
                      local q = {}
                      for i = 1, 999 do q[#q + 1] = string.format("%%d", latency:percentile(i / 10)) end
                      q[#q + 1] = string.format("%%d", latency.max) -- wrk gives 0 for percentile(100)
                      f:write("latency_us=" .. table.concat(q, ",") .. "\\n")
                      f:close()
                    end
                    """.formatted(body, result);
        }

        /** Reads the hook's two lines; fails on any error wrk counted (a non-2xx answer is one). */
        static Measurement parse(String summary, String latency, int bodyBytes) {
            java.util.Map<String, Long> f = new java.util.HashMap<>();
            for (String field : summary.trim().split(" ")) {
                String[] kv = field.split("=", 2);
                f.put(kv[0], Long.parseLong(kv[1]));
            }
            long errors = f.get("connect") + f.get("read") + f.get("write") + f.get("status") + f.get("timeout");
            if (errors > 0) {
                throw new IllegalStateException("wrk counted " + errors + " errors in " + f.get("requests")
                        + " requests: " + summary.trim());
            }
            if (!latency.startsWith("latency_us=")) {
                throw new IllegalStateException("no latency line from wrk: " + latency);
            }
            long[] quantiles = java.util.Arrays.stream(latency.substring("latency_us=".length()).trim().split(","))
                    .mapToLong(q -> Long.parseLong(q) * 1_000).toArray();
            long requests = f.get("requests");
            return new Measurement(requests, requests * bodyBytes, f.get("duration_us") / 1e6, quantiles, -1, -1, -1);
        }
    }

    /** This harness's own client: the JDK's {@code HttpClient}, one thread per connection, a fixed request count. */
    record JdkClient(int requests) implements Generator {

        @Override
        public String name() {
            return "JDK HttpClient";
        }

        @Override
        public String describe() {
            return "the harness's JDK HttpClient (wrk not installed: kafkalab-bench/install-peers.sh), " + requests
                    + " requests per run";
        }

        @Override
        public Measurement warmAndLoad(URI uri, int connections, String body) throws Exception {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            send(client, uri, body, Math.max(requests / 5, connections), connections);
            return send(client, uri, body, requests, connections);
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
}
