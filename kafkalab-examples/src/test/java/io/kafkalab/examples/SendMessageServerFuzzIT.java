package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary requests (method, path, Content-Type, body) against {@code SendMessageServer} on a real cluster: every
 * answer is one of the documented statuses, the one the request deserves, with a JSON body; an error is
 * {@code {"error": "..."}} and nothing else: never a 500, a stack trace or an internal exception text.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the committed inputs under
 * {@code src/test/resources/io/kafkalab/examples/SendMessageServerFuzzITInputs/} as regression tests.
 */
@KafkaTest(brokers = 3)
class SendMessageServerFuzzIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 2048;
    private static final int PARTITIONS = 3;
    private static final Set<Integer> DOCUMENTED = Set.of(200, 202, 400, 404, 405, 413, 415, 503);
    private static final List<String> INTERNALS = List.of("Exception", "\tat ", "internal error", "io.kafkalab.",
            "com.fasterxml", "org.apache");

    private static SendMessageServer server;
    private static HttpClient http;

    @BeforeAll
    static void start(KafkaCluster cluster) throws IOException {
        String topic = KafkaTestUtils.uniqueTopic("http-fuzz");
        cluster.createTopic(topic, PARTITIONS, 1);
        server = new SendMessageServer(new SendMessageServer.Settings("127.0.0.1", 0, cluster.bootstrapServers(), topic,
                100, MAX_BODY, Duration.ofSeconds(10), 4)).start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aContentTypeOfOnlySemicolonsIsRefusedWith415() throws Exception {
        // found by the fuzz test below (crash-a77f01a1...): ";".split(";") is empty, the handler failed with an
        // ArrayIndexOutOfBoundsException and the client got no answer at all
        for (String type : List.of(";", ";;", " ; ")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/send_message"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"x\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(type).isEqualTo(415);
            assertThat(response.body()).isEqualTo("{\"error\":\"Content-Type must be application/json\"}");
        }
    }

    /**
     * @param input a request as text, so that the committed inputs read as requests: {@code METHOD PATH} on the first
     *              line, the Content-Type on the second ({@code -} for none), then the body; a first line that is not
     *              a method and a path means {@code POST /send_message} (HEAD, whose answers have no body, and
     *              CONNECT, which the client refuses, too, and a path starting {@code //}, which the JDK's server
     *              reads as an authority and answers itself with an HTML 404 before any handler runs)
     */
    @FuzzTest(maxDuration = "10s")
    void everyRequestGetsItsDocumentedStatusAndAJsonBody(byte[] input) throws Exception {
        int first = indexOf(input, 0);
        int second = indexOf(input, first + 1);
        String[] line = new String(input, 0, first, StandardCharsets.ISO_8859_1).split(" ", -1);
        boolean requestLine = line.length == 2 && line[0].matches("[A-Z]{1,10}")
                && !line[0].equals("HEAD") && !line[0].equals("CONNECT") && line[1].matches("/(?!/)[\\w/?=&.-]*");
        String method = requestLine ? line[0] : "POST";
        String path = requestLine ? line[1] : "/send_message";
        String type = headerValue(new String(input, Math.min(first + 1, input.length),
                Math.max(0, second - first - 1), StandardCharsets.ISO_8859_1));
        boolean withType = !type.equals("-") && !type.isEmpty();
        byte[] body = Arrays.copyOfRange(input, Math.min(second + 1, input.length), input.length);

        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (withType) {
            request.header("Content-Type", type);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());

        int status = response.statusCode();
        String text = response.body();
        assertThat(DOCUMENTED).as("status %d, body %s", status, text).contains(status);
        if (status == 200 && URI.create(path).getPath().equals("/metrics")) {
            assertThat(method).isEqualTo("GET");
            assertThat(response.headers().firstValue("Content-Type")).hasValue(SendMessageServer.PROMETHEUS_TEXT);
            PrometheusText.parse(text); // strict: every line a sample or a comment
            return;
        }
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonNode json = JSON.readTree(text);
        assertThat(json.isObject()).as(text).isTrue();
        if (status == 202) {
            assertThat(json.fieldNames()).toIterable().as(text).containsExactly("status", "messageId");
            assertThat(UUID.fromString(json.get("messageId").asText())).isNotNull();
        } else if (status != 200) {
            assertThat(json.fieldNames()).toIterable().as(text).containsExactly("error");
            assertThat(json.get("error").isTextual()).as(text).isTrue();
            assertThat(INTERNALS).noneMatch(text::contains);
        }
        int expected = expected(method, path, withType ? type : null, body);
        if (expected == 200 && status == 503) {
            // documented too: a broker slower than the send timeout on a loaded machine is not a finding
            assertThat(json.get("error").asText()).startsWith("Kafka did not acknowledge the message within");
            return;
        }
        assertThat(status).as("%s %s, Content-Type %s, %d bytes: %s", method, path,
                withType ? type : null, body.length, text).isEqualTo(expected);
        String route = URI.create(path).getPath();
        if (status == 200 && route.equals("/openapi.json")) {
            assertThat(json.get("openapi").asText()).startsWith("3.");
        } else if (status == 200 && route.equals("/send_messages")) {
            assertThat(json.get("results").size()).isEqualTo(json.get("sent").asInt() + json.get("failed").asInt());
        } else if (status == 200 && path.startsWith("/health")) {
            assertThat(json.get("status").asText()).isEqualTo("up");
        } else if (status == 200) {
            assertThat(json.get("status").asText()).isEqualTo("sent");
            assertThat(UUID.fromString(json.get("messageId").asText())).isNotNull();
            assertThat(json.get("segments").asInt()).isPositive();
            assertThat(json.get("partition").asInt()).isBetween(0, PARTITIONS - 1);
            assertThat(json.get("lastOffset").asLong()).isGreaterThanOrEqualTo(json.get("firstOffset").asLong());
        }
    }

    /** What the server's contract (docs/http-api.md) says this request deserves, the cluster being up. */
    private static int expected(String method, String pathAndQuery, String type, byte[] body) {
        String path = URI.create(pathAndQuery).getPath();
        if (path.equals("/health") || path.equals("/health/live")) {
            return method.equals("GET") ? 200 : 405;
        }
        if (path.equals("/openapi.json") || path.equals("/metrics")) {
            return method.equals("GET") ? 200 : 405;
        }
        boolean batch = path.equals("/send_messages");
        if (!path.equals("/send_message") && !batch) {
            return 404;
        }
        if (!method.equals("POST")) {
            return 405;
        }
        if (type == null || !type.toLowerCase(Locale.ROOT).split(";", -1)[0].trim().equals("application/json")) {
            return 415;
        }
        if (body.length > MAX_BODY) {
            return 413;
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            return 400;
        }
        if (batch) {
            // the array as a whole; each item's own verdict is in the results
            return json != null && json.isArray() && !json.isEmpty() && json.size() <= SendMessageServer.MAX_BATCH
                    ? 200 : 400;
        }
        JsonNode message = json == null ? null : json.get("message");
        if (message == null || !message.isTextual() || message.asText().isBlank()) {
            return 400;
        }
        JsonNode key = json.get("key");
        if (key != null && !key.isNull() && !key.isTextual()) {
            return 400;
        }
        JsonNode headers = json.get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                return 400;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> h = it.next();
                if (!h.getValue().isTextual() || h.getKey().isEmpty() || h.getKey().startsWith("kafkalab.segment.")) {
                    return 400;
                }
            }
        }
        String query = URI.create(pathAndQuery).getRawQuery();
        return query != null && List.of(query.split("&")).contains("async=true") ? 202 : 200;
    }

    /** @return the index of the first newline from {@code from}, or the length */
    private static int indexOf(byte[] input, int from) {
        for (int i = from; i < input.length; i++) {
            if (input[i] == '\n') {
                return i;
            }
        }
        return input.length;
    }

    /** Keeps what the HTTP client accepts in a header value: visible ASCII and spaces. */
    private static String headerValue(String s) {
        return s.replaceAll("[^\\x20-\\x7E]", "").trim();
    }
}
