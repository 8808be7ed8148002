package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /send_message} through a real HTTP client, against a real cluster. */
@KafkaTest(brokers = 3)
class HttpApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SendMessageServer server(String bootstrap, String topic, int maxBody, Duration sendTimeout)
            throws IOException {
        return server(bootstrap, topic, 100, maxBody, sendTimeout);
    }

    private SendMessageServer server(String bootstrap, String topic, int segmentBytes, int maxBody,
                                     Duration sendTimeout) throws IOException {
        return new SendMessageServer(new SendMessageServer.Settings("127.0.0.1", 0, bootstrap, topic, segmentBytes,
                maxBody, sendTimeout, 16)).start();
    }

    private HttpResponse<String> post(SendMessageServer s, String path, String contentType, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    @Test
    void answersEveryRequestWithTheRightStatusAndJsonOnly(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http");
        cluster.createTopic(topic, 3, 2);
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, 10_000, Duration.ofSeconds(10))) {
            HttpResponse<String> ok = post(s, "/send_message", "application/json",
                    "{\"message\": \"" + "a long message, ".repeat(20) + "\"}");
            assertThat(ok.statusCode()).isEqualTo(200);
            JsonNode sent = json(ok);
            assertThat(sent.get("status").asText()).isEqualTo("sent");
            assertThat(sent.get("segments").asInt()).isEqualTo(4); // 320 bytes in segments of 100
            assertThat(sent.get("lastOffset").asLong() - sent.get("firstOffset").asLong()).isEqualTo(3);
            assertThat(sent.get("messageId").asText()).hasSize(36);
            assertThat(sent.get("partition").asInt()).isBetween(0, 2);

            for (String bad : List.of("{\"msg\": \"x\"}", "{\"message\": null}", "{\"message\": \"   \"}", "{",
                    "not json", "{\"message\": 123}", "[]", "")) {
                HttpResponse<String> r = post(s, "/send_message", "application/json", bad);
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(json(r).fieldNames()).toIterable().as(bad).containsExactly("error");
            }
            assertThat(json(post(s, "/send_message", "application/json", "{\"message\": 123}")).get("error").asText())
                    .isEqualTo("field 'message' must be a string");
            assertThat(post(s, "/send_message", "text/plain", "{\"message\": \"x\"}").statusCode()).isEqualTo(415);
            assertThat(post(s, "/send_message", null, "{\"message\": \"x\"}").statusCode()).isEqualTo(415);
            assertThat(post(s, "/send_message", "application/json; charset=utf-8", "{\"message\": \"x\"}").statusCode())
                    .isEqualTo(200);
            HttpResponse<String> tooLarge = post(s, "/send_message", "application/json",
                    "{\"message\": \"" + "x".repeat(20_000) + "\"}");
            assertThat(tooLarge.statusCode()).isEqualTo(413);
            assertThat(json(tooLarge).get("error").asText()).isEqualTo("request body over 10000 bytes");

            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/send_message")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("Allow")).hasValue("POST");
            assertThat(post(s, "/nowhere", "application/json", "{}").statusCode()).isEqualTo(404);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(json(health).get("status").asText()).isEqualTo("up");
        }
    }

    @Test
    void servesConcurrentRequests(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-concurrent");
        cluster.createTopic(topic, 3, 2);
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, 1 << 20, Duration.ofSeconds(10))) {
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/send_message"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"request " + i + " " + "z".repeat(500)
                                + "\"}")).build();
                replies.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            Set<String> ids = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> reply : replies) {
                HttpResponse<String> r = reply.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                ids.add(json(r).get("messageId").asText());
            }
            assertThat(ids).hasSize(64);
        }
    }

    @Test
    void keepsEveryKeepAliveConnectionOfAWideClientOpen(KafkaCluster cluster) throws Exception {
        // its own JVM: the JDK reads its idle-connection limit once per JVM, and this is how `kafkalab http` runs
        try (JvmProcess app = JvmProcess.start(HttpApi.class, "-b", cluster.bootstrapServers(), "--port", "0")) {
            String serving = app.awaitLine(l -> l.startsWith("Serving POST"), Duration.ofSeconds(60));
            Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/").matcher(serving);
            assertThat(m.find()).as(serving).isTrue();
            int port = Integer.parseInt(m.group(1));
            // one answered request on each of 300 connections, one after another: all 300 then wait idle, which
            // the JDK's default (200 idle connections) does not allow; then a second request on each
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    Socket socket = new Socket("127.0.0.1", port);
                    socket.setSoTimeout(10_000); // the test's own bound: never hang
                    sockets.add(socket);
                    assertThat(health(socket)).as("first request on connection %d", i).startsWith("HTTP/1.1 ");
                }
                for (int i = 0; i < sockets.size(); i++) {
                    assertThat(health(sockets.get(i))).as("second request on connection %d", i)
                            .startsWith("HTTP/1.1 ");
                }
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    /** {@code GET /health} on a keep-alive connection; @return the status line, or "closed" */
    private static String health(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return "closed";
                }
                head.write(b);
            }
        } catch (java.net.SocketException e) {
            return "closed";
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(headers);
        assertThat(length.find()).as(headers).isTrue();
        assertThat(in.readNBytes(Integer.parseInt(length.group(1)))).hasSize(Integer.parseInt(length.group(1)));
        return headers.substring(0, headers.indexOf("\r\n"));
    }

    @Test
    void answers503WithinTheBoundWhenKafkaIsUnavailable() throws Exception {
        long begin = System.nanoTime();
        try (SendMessageServer s = server("127.0.0.1:1", "topic", 1 << 20, Duration.ofSeconds(2))) {
            HttpResponse<String> r = post(s, "/send_message", "application/json", "{\"message\": \"hello\"}");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).get("error").asText()).startsWith("Kafka");
            assertThat(r.body()).doesNotContain("Exception", "at org.", "127.0.0.1:1");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void fiftyKilobytesOfCyrillicComeBackByteExactThroughConsumeSegmented(KafkaCluster cluster, @TempDir Path dir)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-cyrillic");
        cluster.createTopic(topic, 3, 2);
        StringBuilder text = new StringBuilder();
        while (text.toString().getBytes(StandardCharsets.UTF_8).length < 50_000) {
            text.append("Съешь же ещё этих мягких французских булок, да выпей чаю. Ёжик в тумане. ");
        }
        String messageId;
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, 1 << 20, Duration.ofSeconds(10))) {
            HttpResponse<String> r = post(s, "/send_message", "application/json",
                    JSON.writeValueAsString(JSON.createObjectNode().put("message", text.toString())));
            assertThat(r.statusCode()).isEqualTo(200);
            messageId = json(r).get("messageId").asText();
            assertThat(json(r).get("segments").asInt()).isGreaterThanOrEqualTo(500);
        }
        Cli.Result consumed = Cli.run("consume-segmented", "-b", cluster.bootstrapServers(), "-t", topic,
                "--from-beginning", "--max-messages", "1", "--out-dir", dir.toString());
        assertThat(consumed.code()).isZero();
        assertThat(consumed.out()).contains("message " + messageId + " [", "COMPLETE message " + messageId,
                "consume-segmented: 1 complete messages, 0 dropped");
        assertThat(Files.readAllBytes(dir.resolve(messageId + ".bin")))
                .isEqualTo(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everySegmentIsValidUtf8OnItsOwnAndCutsNoCharacter(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-graphemes");
        cluster.createTopic(topic, 1, 2);
        // a hand with a skin tone (8 bytes), a flag (8), a family joined by zero-width joiners (18), e + accent (3),
        // Cyrillic (2 each): cut by code points, 24-byte segments would cut each of the first four somewhere
        String text = ("\uD83D\uDC4B\uD83C\uDFFD \uD83C\uDDFA\uD83C\uDDE6"
                + "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 cafe\u0301 Привет ").repeat(30);
        int segments;
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, 24, 1 << 20, Duration.ofSeconds(10))) {
            HttpResponse<String> r = post(s, "/send_message", "application/json",
                    JSON.writeValueAsString(JSON.createObjectNode().put("message", text)));
            assertThat(r.statusCode()).isEqualTo(200);
            segments = json(r).get("segments").asInt();
        }
        List<ConsumerRecord<byte[], byte[]>> records = KafkaTestUtils.consume(cluster, topic, segments,
                Duration.ofSeconds(30), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<String> clusters = new ArrayList<>();
        StringBuilder whole = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            assertThat(record.value().length).isLessThanOrEqualTo(24);
            String part = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(record.value())).toString();
            clusters.addAll(graphemes(part));
            whole.append(part);
        }
        assertThat(whole.toString()).isEqualTo(text);
        assertThat(clusters).as("the characters of the segments, each decoded on its own").isEqualTo(graphemes(text));
    }

    private static List<String> graphemes(String text) {
        return Pattern.compile("\\X").matcher(text).results().map(MatchResult::group).toList();
    }

    @Test
    void whileStoppingItAnswersNewRequestsWith503() throws Exception {
        SendMessageServer s = server("127.0.0.1:1", "topic", 1 << 20, Duration.ofSeconds(3));
        // a request in flight waits for Kafka (which is not there) for up to 3 s, and close waits for it
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + s.port() + "/send_message"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"in flight\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.inFlight() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(s::closing);

        HttpResponse<String> late = post(s, "/send_message", "application/json", "{\"message\": \"too late\"}");

        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(json(late).get("error").asText()).isEqualTo("the server is stopping");
        assertThat(inFlight.get().statusCode()).isEqualTo(503);
        closing.get();
    }

    @Test
    void closeLetsARequestInFlightFinishWithItsOwnAnswer() throws Exception {
        SendMessageServer s = server("127.0.0.1:1", "topic", 1 << 20, Duration.ofSeconds(2));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/send_message"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"in flight\"}")).build();
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        // the request waits for Kafka (which is not there) for up to 2 s; close while it does
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.inFlight() == 1);
        s.close();
        HttpResponse<String> r = inFlight.get();
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).get("error").asText()).as("its own answer, not a reset").startsWith("Kafka");
    }
}
