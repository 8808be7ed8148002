package io.kafkalab.examples;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kafkalab http}: the lab's Flask API, done properly. */
@Command(name = "http", mixinStandardHelpOptions = true,
        description = {"Serve POST /send_message {\"message\": \"...\", \"key\": \"...\", \"headers\": {...}}: the "
                + "message is sent as segments, at least once, and the reply comes once every segment is acknowledged "
                + "(?async=true: 202 once handed to the producer). An Idempotency-Key header makes a retry get the first "
                + "answer instead of sending again. POST /send_messages takes an array and answers each message. "
                + "GET /health (readiness: 503 while no broker answers), GET /health/live, GET /openapi.json, "
                + "GET /metrics (Prometheus text).",
            "Errors are JSON {\"error\": \"...\"}: 400 bad request, 401 missing or wrong bearer token, 404, 405, "
                    + "413 body too large, 415 not JSON, 422 Idempotency-Key reused for another request, 429 too "
                    + "many in flight (Retry-After), 503 Kafka unavailable or too slow."})
final class HttpCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "5000", description = "Port (default: ${DEFAULT-VALUE}; 0 picks one).")
    int port;

    @Option(names = "--segment-bytes", defaultValue = "100",
            description = "Largest segment in bytes; text is cut between characters (grapheme clusters), one"
                    + " longer than a segment between its code points (default: ${DEFAULT-VALUE}).")
    int segmentBytes;

    @Option(names = "--max-body-bytes", defaultValue = "1048576",
            description = "Largest request body (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(names = "--send-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long a request waits for Kafka before 503 (default: ${DEFAULT-VALUE}).")
    Duration sendTimeout;

    @Option(names = "--auth-token", defaultValue = "${env:KAFKALAB_HTTP_TOKEN}",
            description = "Require 'Authorization: Bearer <token>' on every request but GET /health (env "
                    + "KAFKALAB_HTTP_TOKEN; prefer it, or --auth-token-file, to a command line others can see).")
    String authToken;

    @Option(names = "--auth-token-file", paramLabel = "FILE", defaultValue = "${env:KAFKALAB_HTTP_TOKEN_FILE}",
            description = "Read the bearer token from this file's first line (env KAFKALAB_HTTP_TOKEN_FILE).")
    Path authTokenFile;

    @Option(names = "--request-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long a client may take to send its whole request, headers and body, before the "
                    + "connection is closed; whole seconds (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--threads", defaultValue = "16",
            description = "Server threads; they read and answer requests, none waits for Kafka (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-in-flight", defaultValue = "4096",
            description = "Requests sent and not yet acknowledged before 429 (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--max-in-flight-bytes", defaultValue = "67108864",
            description = "Message bytes sent and not yet acknowledged before 429 (default: ${DEFAULT-VALUE}).")
    long maxInFlightBytes;

    @Option(names = "--idempotency-window", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long an Idempotency-Key's answer is kept (default: ${DEFAULT-VALUE}).")
    Duration idempotencyWindow;

    @Option(names = "--linger-ms", description = "The producer's linger.ms: how long each answer waits for its batch to fill (default 1).")
    Integer lingerMs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        String token = authTokenFile != null ? KafkaOptions.readSecret(authTokenFile, "--auth-token-file") : authToken;
        SendMessageServer server = new SendMessageServer(new SendMessageServer.Settings(bind, port,
                kafka.bootstrapServers, kafka.topic, segmentBytes, maxBodyBytes, sendTimeout, threads,
                kafka.securityConfig(), token, requestTimeout, maxInFlight, maxInFlightBytes, idempotencyWindow, lingerMs))
                .start();
        ClusterWatch watch = ClusterWatch.start("http", kafka.bootstrapServers, kafka.securityConfig(),
                spec.commandLine().getErr());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watch.close();
            server.close();
            stopped.countDown();
        }, "kafkalab-http-shutdown"));
        out.printf("Serving POST http://%s:%d/send_message -> topic %s at %s (Ctrl-C stops)%n", bind, server.port(),
                kafka.topic, kafka.bootstrapServers);
        out.printf("  curl -s -H 'Content-Type: application/json'%s -d '{\"message\": \"hello\"}' "
                + "http://%s:%d/send_message%n", token == null ? "" : " -H \"Authorization: Bearer $KAFKALAB_HTTP_TOKEN\"",
                bind, server.port());
        out.flush();
        stopped.await();
        return 0;
    }
}
