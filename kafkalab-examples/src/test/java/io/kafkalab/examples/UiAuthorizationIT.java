package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.examples.ui.UiServer;
import io.kafkalab.testkit.ClusterSecurity;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The UI run as a Kafka user who may see only part of the cluster (bob: READ and DESCRIBE on {@code orders},
 * nothing on {@code secret}, no group, not the cluster): what bob may not see is "not authorized", in the API (403)
 * and on the page (in headless Chromium), never an error page or a 502.
 */
class UiAuthorizationIT {

    private static EmbeddedKafkaCluster cluster;
    private static UiServer ui;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedKafkaCluster.builder().brokers(1).topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER)
                .security(ClusterSecurity.builder().listeners(SecurityProtocol.SASL_PLAINTEXT)
                        .user("admin", "admin-secret").user("bob", "bob-secret")
                        .authorizer()
                        .allow("bob", ResourceType.TOPIC, PatternType.LITERAL, "orders",
                                AclOperation.READ, AclOperation.DESCRIBE)
                        .build())
                .start();
        cluster.createTopic("orders", 1, 1);
        cluster.createTopic("secret", 1, 1);
        ui = UiServer.start(UiServer.Settings.of(cluster.bootstrapServers(SecurityProtocol.SASL_PLAINTEXT))
                .withClientConfig(cluster.clientConfig(SecurityProtocol.SASL_PLAINTEXT, "bob"))
                .timeout(Duration.ofSeconds(5)));
    }

    @AfterAll
    static void close() {
        if (ui != null) {
            ui.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(ui.url() + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void whatTheUsersMayNotSeeIsA403NamingItAndTheRestStillShows() throws Exception {
        HttpResponse<String> topics = get("api/topics");
        assertThat(topics.statusCode()).as(topics.body()).isEqualTo(200);
        assertThat(topics.body()).contains("\"orders\"").doesNotContain("secret"); // Kafka lists what bob may see

        HttpResponse<String> secret = get("api/topics/secret");
        assertThat(secret.statusCode()).as(secret.body()).isEqualTo(403);
        assertThat(JSON.readTree(secret.body()).get("error").asText())
                .isEqualTo("not authorized: the UI's Kafka user may not see topic 'secret'");

        HttpResponse<String> orders = get("api/topics/orders");
        assertThat(orders.statusCode()).as(orders.body()).isEqualTo(200);
        assertThat(JSON.readTree(orders.body()).get("configsError").asText())
                .isEqualTo("not authorized: the UI's Kafka user may not see the configs of topic 'orders'"
                        + " (DESCRIBE_CONFIGS)");

        HttpResponse<String> messages = get("api/topics/secret/messages");
        assertThat(messages.statusCode()).as(messages.body()).isEqualTo(403);
        assertThat(JSON.readTree(messages.body()).get("error").asText()).startsWith("not authorized");

        HttpResponse<String> brokers = get("api/brokers");
        assertThat(brokers.statusCode()).as(brokers.body()).isIn(200, 403);
        if (brokers.statusCode() == 200) { // the quorum needs DESCRIBE on the cluster: said where it would show
            JsonNode quorum = JSON.readTree(brokers.body()).get("controller");
            assertThat(quorum.path("error").asText()).startsWith("not authorized");
        }
    }

    @Test
    void thePageOfATopicTheUserMayNotSeeSaysNotAuthorized() throws Exception {
        boolean present = Files.isExecutable(UiBrowserIT.CHROMIUM) && Files.isExecutable(UiBrowserIT.DRIVER);
        assertThat(present || !"true".equalsIgnoreCase(System.getenv("CI")))
                .as("headless Chromium is required with CI=true").isTrue();
        assumeTrue(present, "headless Chromium is not installed: apt-get install chromium chromium-driver");
        Path profile = Files.createTempDirectory("kafkalab-ui-authz-chromium");
        WebDriver browser = UiBrowserIT.chromium(profile);
        try {
            browser.get(ui.url() + "topics/secret");
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not authorized"));
            assertThat(browser.findElement(By.className("not-authorized")).getText())
                    .isEqualTo("not authorized: the UI's Kafka user may not see topic 'secret'.");
            assertThat(browser.getTitle()).isEqualTo("Not authorized · kafkalab UI");
            assertThat(browser.findElement(By.id("banner")).isDisplayed()).isFalse(); // no error banner

            // bob may see orders' partitions but not its configs (no DESCRIBE_CONFIGS): the page shows, the configs
            // say so
            browser.get(ui.url() + "topics/orders");
            // bounded generously: on a loaded machine one of the page's Kafka calls may miss its 5 s bound, and the
            // page asks again at its next refresh; the failure says what the page showed instead
            Awaitility.await("the configs marked not authorized").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(browser.findElements(By.id("configs-not-authorized")))
                            .as(() -> "the page: " + browser.findElement(By.tagName("body")).getText())
                            .singleElement().extracting(org.openqa.selenium.WebElement::getText).isEqualTo(
                                    "not authorized: the UI's Kafka user may not see the configs of topic 'orders'"
                                            + " (DESCRIBE_CONFIGS)."));
            assertThat(browser.findElement(By.tagName("h1")).getText()).contains("orders");
            assertThat(browser.findElements(By.cssSelector("#partitions tbody tr"))).hasSize(1);
        } finally {
            browser.quit();
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
