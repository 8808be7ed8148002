package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API's guards: the bearer token, the request time limit, and replies that never show internals. */
@KafkaTest(brokers = 3)
class HttpSecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token-for-tests";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static SendMessageServer server(String bootstrap, String topic, String token, Duration sendTimeout)
            throws IOException {
        return new SendMessageServer(new SendMessageServer.Settings("127.0.0.1", 0, bootstrap, topic, 100, 10_000,
                sendTimeout, 4, Map.of(), token, HttpLimits.DEFAULT_REQUEST_TIMEOUT)).start();
    }

    private HttpResponse<String> send(int port, String method, String path, String authorization, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void withATokenEveryRequestButHealthNeedsTheRightBearerToken(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-token");
        cluster.createTopic(topic, 1, 1);
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, TOKEN, Duration.ofSeconds(10))) {
            String message = "{\"message\": \"hello\"}";
            for (String authorization : new String[] {null, "Bearer wrong", "Bearer " + TOKEN + "x", "Bearer ",
                "Basic " + TOKEN, TOKEN}) {
                HttpResponse<String> r = send(s.port(), "POST", "/send_message", authorization, message);
                assertThat(r.statusCode()).as(authorization).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).as(authorization)
                        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"kafkalab\""));
                assertThat(JSON.readTree(r.body()).fieldNames()).toIterable().containsExactly("error");
                assertThat(r.body()).doesNotContain(TOKEN);
            }
            assertThat(JSON.readTree(send(s.port(), "POST", "/send_message", null, message).body()).get("error").asText())
                    .isEqualTo("missing bearer token");
            HttpResponse<String> wrong = send(s.port(), "POST", "/send_message", "Bearer wrong", message);
            assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("invalid bearer token");
            assertThat(wrong.headers().firstValue("WWW-Authenticate"))
                    .hasValue("Bearer realm=\"kafkalab\", error=\"invalid_token\"");
            // no route is revealed without the token either
            assertThat(send(s.port(), "GET", "/nowhere", null, null).statusCode()).isEqualTo(401);

            HttpResponse<String> ok = send(s.port(), "POST", "/send_message", "bearer " + TOKEN, message);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(KafkaTestUtils.consume(cluster, topic, 1, Duration.ofSeconds(30))).hasSize(1);

            HttpResponse<String> health = send(s.port(), "GET", "/health", null, null);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(health.body()).fieldNames()).toIterable().containsExactly("status");
        }
    }

    @Test
    void repliesNeverShowParserOrKafkaInternals(KafkaCluster cluster) throws Exception {
        int deadPort = KafkaTestUtils.freePortRange(1);
        // nothing listens on deadPort: every send ends in a Kafka timeout
        try (SendMessageServer s = server("127.0.0.1:" + deadPort, "no-topic", null, Duration.ofSeconds(1))) {
            List<HttpResponse<String>> replies = List.of(
                    send(s.port(), "POST", "/send_message", null, "{\"message\": \"x\"}"),
                    send(s.port(), "POST", "/send_message", null, "{\"message\": \"unterminated"),
                    send(s.port(), "POST", "/send_message", null, "{\"message\": {\"nested\": [1, 2, {]}}"),
                    send(s.port(), "POST", "/send_message", null, "\u0000\u0001garbage"));
            assertThat(replies).extracting(HttpResponse::statusCode).containsExactly(503, 400, 400, 400);
            for (HttpResponse<String> r : replies) {
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.fieldNames()).toIterable().containsExactly("error");
                assertThat(body.get("error").asText()).as(r.body())
                        .doesNotContainIgnoringCase("exception").doesNotContain("org.apache", "com.fasterxml",
                                "line:", "column:", "at [Source", String.valueOf(deadPort), "127.0.0.1", "no-topic");
            }
            assertThat(JSON.readTree(replies.get(0).body()).get("error").asText()).isIn(
                    "Kafka is unavailable: the message was not sent",
                    "Kafka did not acknowledge the message within 1000 ms");
            assertThat(JSON.readTree(replies.get(1).body()).get("error").asText())
                    .isEqualTo("request body is not valid JSON");
        }
    }

    @Test
    void aClientThatSendsItsRequestTooSlowlyIsCutOffWithinTheRequestTimeout(KafkaCluster cluster,
                                                                            @TempDir Path dir) throws Exception {
        // its own JVM: the JDK reads the limit once per JVM, and this is how `kafkalab http` runs anyway
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        try (JvmProcess app = JvmProcess.start(HttpApi.class, "-b", cluster.bootstrapServers(), "--port", "0",
                "--request-timeout", "2s", "--auth-token-file", tokenFile.toString())) {
            String serving = app.awaitLine(l -> l.startsWith("Serving POST"), Duration.ofSeconds(60));
            Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/").matcher(serving);
            assertThat(m.find()).as(serving).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(app.lines()).noneMatch(l -> l.contains(TOKEN));

            // headers that never end; a body that never arrives; a connection that never says anything
            for (String partial : List.of("POST /send_message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl",
                    "POST /send_message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer " + TOKEN + "\r\nContent-Length: 1000\r\n\r\n{\"message\": \"sl",
                    "")) {
                Duration cutOff = cutOffAfter(port, partial);
                assertThat(cutOff).as("cut off after %s: %s", cutOff, partial)
                        .isGreaterThanOrEqualTo(Duration.ofMillis(1500)).isLessThan(Duration.ofSeconds(6));
            }
            // and it still serves everyone else
            assertThat(send(port, "GET", "/health", null, null).statusCode()).isEqualTo(200);
        }
    }

    /** Sends the partial request and returns how long the server took to close the connection. */
    private static Duration cutOffAfter(int port, String partial) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000); // the test's own bound: never hang
            OutputStream out = socket.getOutputStream();
            out.write(partial.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long begin = System.nanoTime();
            InputStream in = socket.getInputStream();
            try {
                while (in.read() != -1) {
                    // whatever the server says before closing is fine; the close is what counts
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept the connection open for 15 s", e);
            } catch (IOException e) {
                // connection reset: closed as well
            }
            return Duration.ofNanos(System.nanoTime() - begin);
        }
    }
}
