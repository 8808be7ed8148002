package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kafkalab.examples.ui.UiServer;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * What a person sees in {@code ./kafkalab ui}, in a real browser: Debian's headless Chromium, driven by Selenium
 * through Debian's chromium-driver, against a real 3-broker cluster. Skipped, with the reason, where Chromium is not
 * installed; under {@code CI=true} (where .ci/run installs it) a missing Chromium fails instead. Each screen is saved
 * as a PNG in {@code kafkalab.ui.screenshots} (target/ui-screenshots; {@code -Dui.screenshots=...} elsewhere, the
 * way docs/ui/ is refreshed).
 */
@KafkaTest(brokers = 3)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiBrowserIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final String SCRIPT = "<script>alert(1)</script>";

    private final KafkaCluster cluster;
    private final String topic = KafkaTestUtils.uniqueTopic("ui-browser");
    private final String group = KafkaTestUtils.uniqueGroup("ui-browser");
    private final String pagePrefix = KafkaTestUtils.uniqueTopic("ui-browser-page");
    private final String longTopic = KafkaTestUtils.uniqueTopic("ui-browser-long");
    private final String segmentTopic = KafkaTestUtils.uniqueTopic("ui-browser-segments");
    private static final String WHOLE = "forty characters, sent in four segments.";
    private UiServer ui;
    private WebDriver browser;
    private Path profile;

    UiBrowserIT(KafkaCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    void clusterWithALabTopicAndABrowser() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        String reason = "headless Chromium is not installed (" + CHROMIUM + ", " + DRIVER
                + "): apt-get install chromium chromium-driver";
        assertThat(present || !"true".equalsIgnoreCase(System.getenv("CI"))).as("%s; CI=true requires it", reason)
                .isTrue();
        assumeTrue(present, reason);

        cluster.createTopic(topic, 3, 2);
        assertThat(Cli.run("produce", "-b", cluster.bootstrapServers(), "-t", topic, "--count", "30").code()).isZero();
        assertThat(Cli.run("consume-single", "-b", cluster.bootstrapServers(), "-t", topic, "--group", group,
                "--max-messages", "10").code()).isZero();
        GroupOffsets.commitEveryPartition(cluster, group, topic, 3, 10);
        KafkaTestUtils.produce(cluster, topic, 1, i -> new ProducerRecord<>(topic, "<b>key</b>", SCRIPT));
        for (int i = 0; i < 3; i++) {
            cluster.createTopic(pagePrefix + "-" + i, 1, 1);
        }
        cluster.createTopic(longTopic, 1, 1);
        cluster.createTopic(segmentTopic, 1, 1);
        SegmentedMessages.send(cluster, segmentTopic, "whole", WHOLE, 10);
        java.util.UUID incomplete = java.util.UUID.randomUUID(); // 2 of its 3 segments, the last never sent
        KafkaTestUtils.produce(cluster, segmentTopic, 2, i -> {
            ProducerRecord<String, String> r = new ProducerRecord<>(segmentTopic, 0, "part", "part " + i);
            new io.kafkalab.segment.SegmentHeader(1, incomplete, i, 3, 30, 0).writeTo(r.headers());
            return r;
        });
        KafkaTestUtils.produce(cluster, longTopic, 1, i -> new ProducerRecord<>(longTopic, "7",
                "{\"key\": \"7\", \"value\": \"" + "x".repeat(4999) + "!\"}"));
        ui = UiServer.start(UiServer.Settings.of(cluster.bootstrapServers()).sampleEvery(Duration.ofMillis(300)));
        profile = Files.createTempDirectory("kafkalab-ui-chromium");
        browser = chromium(profile);
    }

    /** Chromium as this closed network needs it: no first run, no background traffic, a fresh profile. */
    static WebDriver chromium(Path profile) {
        // the driver is given, so Selenium Manager (which would try to download one) never runs
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,860", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    @AfterAll
    void closeAll() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (ui != null) {
            ui.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void open(String path) {
        browser.get(ui.url() + path.replaceFirst("^/", ""));
    }

    private void click(String linkText) {
        click(By.linkText(linkText));
    }

    /** Finds and clicks, again if the live page redrew the element in between (stale) or has not drawn it yet. */
    private void click(By by) {
        within(10).ignoreExceptionsInstanceOf(org.openqa.selenium.NoSuchElementException.class)
                .ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class)
                .untilAsserted(() -> browser.findElement(by).click());
    }

    private List<WebElement> all(String css) {
        return browser.findElements(By.cssSelector(css));
    }

    private String text(String css) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? null : found.get(0).getText();
    }

    private static org.awaitility.core.ConditionFactory within(int seconds) {
        // a live page redraws every 2 s: an element found a moment ago may be gone when read
        return await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class);
    }

    private void screenshot(String name) throws IOException {
        Path dir = Path.of(System.getProperty("kafkalab.ui.screenshots", "target/ui-screenshots"));
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), ((org.openqa.selenium.TakesScreenshot) browser)
                .getScreenshotAs(OutputType.BYTES));
    }

    @Test
    @Order(1)
    void theFirstPageLeadsToBrokersAllUpWithTheQuorum() throws IOException {
        open("/");
        within(10).untilAsserted(() -> assertThat(all(".card")).hasSize(3));
        assertThat(text(".card")).contains("3").contains("brokers");
        screenshot("overview");
        click("Brokers");
        within(10).untilAsserted(() -> {
            assertThat(all("tr[data-broker]")).hasSize(3);
            assertThat(all("tr[data-broker] .status")).extracting(WebElement::getText).containsOnly("up");
        });
        assertThat(text("tr[data-broker='1'] td:nth-child(2)")).startsWith("127.0.0.1:");
        assertThat(text("#quorum-leader")).isEqualTo(String.valueOf(cluster.activeControllerId().orElseThrow()));
        screenshot("brokers");
    }

    @Test
    @Order(2)
    void theTopicListShowsTheTopicWithItsGroupsLagAndTheDetailItsPartitions() throws IOException {
        open("/");
        click("Topics");
        String row = "tr[data-topic='" + topic + "']";
        WebElement filter = browser.findElement(By.id("topic-filter"));
        filter.sendKeys("__consumer_off");
        within(10).untilAsserted(() -> assertThat(text("#page-info")).isEqualTo("No topics match the filter."));
        click(By.id("show-internal"));
        within(10).untilAsserted(() -> assertThat(all("tr[data-topic='__consumer_offsets']")).hasSize(1));
        click(By.id("show-internal"));
        within(10).untilAsserted(() -> assertThat(all("tr[data-topic='__consumer_offsets']")).isEmpty());
        filter.clear();
        filter.sendKeys(topic);
        within(10).untilAsserted(() -> assertThat(all(row)).hasSize(1));
        assertThat(text(row + " td:nth-child(2)")).isEqualTo("3");
        assertThat(text(row + " td:nth-child(6)")).isEqualTo("31");
        assertThat(text(row + " td:nth-child(8)")).isEqualTo(group + " (21)");
        assertThat(browser.getCurrentUrl()).endsWith("/topics?filter=" + topic);
        screenshot("topics");

        // a long list goes page by page, asked of the API a page at a time
        open("/topics?filter=" + pagePrefix + "&limit=2");
        within(10).untilAsserted(() -> {
            assertThat(all("#topics tr[data-topic]")).extracting(e -> e.getAttribute("data-topic"))
                    .containsExactly(pagePrefix + "-0", pagePrefix + "-1");
            assertThat(text("#page-info")).isEqualTo("1–2 of 3 topics matching the filter.");
        });
        markThePage();
        click(By.id("page-next"));
        within(10).untilAsserted(() -> {
            assertThat(all("#topics tr[data-topic]")).extracting(e -> e.getAttribute("data-topic"))
                    .containsExactly(pagePrefix + "-2");
            assertThat(text("#page-info")).isEqualTo("3–3 of 3 topics matching the filter.");
            assertThat(browser.findElement(By.id("page-next")).isEnabled()).isFalse();
        });
        assertThatThePageWasNotReloaded();
        screenshot("topics-paged");

        open("/topics?filter=" + topic);
        within(10).untilAsserted(() -> assertThat(all(row)).hasSize(1));
        click(topic);
        within(10).untilAsserted(() -> assertThat(all("#partitions tr[data-partition]")).hasSize(3));
        assertThat(text("#topic-name")).isEqualTo(topic);
        assertThat(all("#partitions .isr")).allSatisfy(isr -> assertThat(isr.getText()).matches("\\d+, \\d+"));
        assertThat(all("#partitions .out-of-sync")).isEmpty();
        screenshot("topic");
    }

    @Test
    @Order(3)
    void aGroupThatStoppedEarlyShowsItsLagAndTheChartOfIt() throws IOException {
        open("/");
        click("Consumer groups");
        browser.findElement(By.id("group-filter")).sendKeys(group);
        within(10).untilAsserted(() -> assertThat(all("tr[data-group='" + group + "'] .lag")).extracting(
                WebElement::getText).containsExactly("21"));
        click(group);
        within(10).untilAsserted(() -> {
            assertThat(text("#total-lag")).isEqualTo("21");
            assertThat(all("#offsets tr[data-partition]")).hasSize(3);
        });
        // uPlot drew the lag line (its stroke colour) on its canvas once there were two samples
        within(15).untilAsserted(() -> {
            assertThat(Integer.parseInt(browser.findElement(By.id("lag-chart")).getAttribute("data-points")))
                    .isGreaterThanOrEqualTo(2);
            assertThat(redPixelsOfTheChart()).isPositive();
        });
        screenshot("group");
    }

    private long redPixelsOfTheChart() {
        Object n = ((JavascriptExecutor) browser).executeScript(
                "const c = document.querySelector('#lag-chart canvas'); if (!c) return -1;"
                        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                        + "for (let i = 0; i < d.length; i += 4) {"
                        + "  if (d[i] > 150 && d[i + 1] < 90 && d[i + 2] < 90 && d[i + 3] > 200) n++; }"
                        + "return n;");
        return ((Number) n).longValue();
    }

    @Test
    @Order(4)
    void messagesShowAScriptAsTextAndAMessageProducedFromThePageIsFoundBySearch() throws IOException {
        open("/topics/" + topic);
        click("Messages");
        within(10).untilAsserted(() -> assertThat(all("#records tr[data-offset]")).isNotEmpty());
        assertThat(all("#records pre.value")).extracting(WebElement::getText).contains(SCRIPT, "<b>key</b>");
        // the lab's messages show as a CustomMessage (the produce command's user id as its key), or as JSON or text
        WebElement lab = all("#records tr[data-offset]").stream()
                .filter(r -> !r.findElements(By.cssSelector(".custom-message")).isEmpty()).findFirst().orElseThrow();
        String key = lab.findElement(By.cssSelector(".value-cell pre")).getText();
        assertThat(lab.findElement(By.cssSelector(".cm-key")).getText()).isEqualTo(key);
        assertThat(lab.findElement(By.cssSelector(".cm-value")).getText()).isNotEmpty().doesNotContain("\"key\"");
        lab.findElement(By.cssSelector("button.as-json")).click();
        assertThat(lab.findElements(By.cssSelector(".custom-message"))).isEmpty();
        assertThat(lab.findElements(By.cssSelector("pre.value")).get(1).getText()).startsWith("{\n")
                .contains("\"key\" : \"" + key + "\"");
        lab.findElement(By.cssSelector("button.as-text")).click();
        assertThat(lab.findElements(By.cssSelector("pre.value")).get(1).getText()).startsWith("{\"key\":");
        assertThat(all("#results script")).isEmpty();
        assertThat(all("#results b")).isEmpty();
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);

        String marker = "hello from the browser " + group;
        browser.findElement(By.id("produce-key")).sendKeys("browser-key");
        browser.findElement(By.id("produce-value")).sendKeys(marker);
        browser.findElement(By.id("produce-headers")).sendKeys("origin=browser");
        click(By.id("produce-send"));
        within(10).untilAsserted(() -> assertThat(text("#produce-result")).startsWith("Sent to partition "));

        browser.findElement(By.id("search")).sendKeys("FROM THE BROWSER");
        click(By.id("show"));
        within(10).untilAsserted(() -> {
            assertThat(all("#records tr[data-offset]")).hasSize(1);
            assertThat(text("#records .value-cell pre")).isEqualTo("browser-key");
            assertThat(text("#records .headers")).isEqualTo("origin: browser");
        });
        assertThat(all("#records pre.value")).extracting(WebElement::getText).contains(marker);
        browser.findElement(By.id("search")).clear();
        click(By.id("show"));
        within(10).untilAsserted(() -> assertThat(all("#records pre.value")).extracting(WebElement::getText)
                .contains(SCRIPT, marker));
        screenshot("messages");
    }

    @Test
    @Order(5)
    void aSegmentedMessageShowsWholeOnItsFirstSegmentAndAnIncompleteOneHowManySegmentsThereAre() throws IOException {
        open("/topics/" + segmentTopic + "/messages");
        within(10).untilAsserted(() -> assertThat(all("#records tr[data-offset]")).hasSize(6));
        assertThat(all("#records .segment")).extracting(WebElement::getText).containsExactly(
                "segment 2 of 3 · 2/3 segments", "segment 1 of 3 · 2/3 segments", "segment 4 of 4", "segment 3 of 4",
                "segment 2 of 4", "segment 1 of 4");
        assertThat(all("#records .assembled pre")).extracting(WebElement::getText).containsExactly(WHOLE);
        screenshot("segments");
    }

    @Test
    @Order(6)
    void aHugeValueIsCutWithAWayToSeeAllAnUnknownTopicIsNotFoundAndReadOnlyHasNoForm() throws IOException {
        open("/topics/" + longTopic + "/messages");
        within(10).untilAsserted(() -> assertThat(text("#records .cm-value")).hasSize(2000));
        click(By.cssSelector("#records button.show-all"));
        within(10).untilAsserted(() -> assertThat(text("#records .cm-value")).hasSize(5000).endsWith("x!"));
        assertThat(all("#records button.show-all")).isEmpty();

        open("/topics/no-such-topic-" + group);
        within(10).untilAsserted(() -> assertThat(text("h1")).isEqualTo("Not found"));
        assertThat(text(".not-found")).isEqualTo("topic no-such-topic-" + group + " not found");
        screenshot("not-found");
        open("/groups/no-such-group-" + group);
        within(10).untilAsserted(() -> assertThat(text(".not-found"))
                .isEqualTo("consumer group no-such-group-" + group + " not found"));

        assertThat(all("#produce")).isEmpty();
        open("/topics/" + longTopic + "/messages");
        within(10).untilAsserted(() -> assertThat(all("#produce")).hasSize(1));
        try (UiServer readOnly = UiServer.start(UiServer.Settings.of(cluster.bootstrapServers()).readOnly(true))) {
            browser.get(readOnly.url() + "topics/" + longTopic + "/messages");
            within(10).untilAsserted(() -> assertThat(all("#records tr[data-offset]")).hasSize(1));
            assertThat(all("#produce")).isEmpty();
            assertThat(text("#read-only")).isEqualTo("Read-only (--read-only): producing is off.");
        }
    }

    @Test
    @Order(7)
    void aStoppedBrokerShowsDownAndTheIsrShrinksOnTheSamePageAndBothRecoverAfterItsStart() throws IOException {
        String brokerOne = "#replica-brokers .broker-status[data-broker='1']";
        open("/topics/" + topic);
        within(10).untilAsserted(() -> {
            assertThat(text(brokerOne)).isEqualTo("broker 1 up");
            assertThat(all("#partitions .isr")).hasSize(3).extracting(WebElement::getText)
                    .allMatch(isr -> isr.matches("\\d+, \\d+"));
        });
        long withOne = all("#partitions .isr").stream().filter(isr -> isr.getText().contains("1")).count();
        assertThat(withOne).as("partitions with a replica on broker 1").isPositive();
        markThePage();
        cluster.stopBroker(1);
        try {
            within(5).untilAsserted(() -> {
                assertThat(text(brokerOne)).isEqualTo("broker 1 down");
                assertThat(all("#partitions .isr")).extracting(WebElement::getText).noneMatch(isr -> isr.contains("1"));
                assertThat(all("#partitions .out-of-sync")).extracting(WebElement::getText).hasSize((int) withOne)
                        .containsOnly("1 (out of sync)");
            });
            assertThatThePageWasNotReloaded();
            screenshot("topic-broker-down");
            open("/brokers");
            within(5).untilAsserted(() -> assertThat(all("tr[data-broker] .status")).extracting(WebElement::getText)
                    .containsExactly("up", "down", "up")); // brokers 0, 1, 2
            screenshot("broker-down");
            open("/topics/" + topic);
            within(10).untilAsserted(() -> assertThat(text(brokerOne)).isEqualTo("broker 1 down"));
            markThePage();
        } finally {
            cluster.startBroker(1);
        }
        within(30).untilAsserted(() -> {
            assertThat(text(brokerOne)).isEqualTo("broker 1 up");
            assertThat(all("#partitions .isr")).extracting(WebElement::getText)
                    .filteredOn(isr -> isr.contains("1")).hasSize((int) withOne);
            assertThat(all("#partitions .out-of-sync")).isEmpty();
        });
        assertThatThePageWasNotReloaded();
    }

    private void markThePage() {
        ((JavascriptExecutor) browser).executeScript("window.kafkalabNoReload = 'same page';");
    }

    private void assertThatThePageWasNotReloaded() {
        assertThat(((JavascriptExecutor) browser).executeScript("return window.kafkalabNoReload;"))
                .as("a marker set in the page before the change").isEqualTo("same page");
    }

    @Test
    @Order(8)
    void aClusterThatCannotBeReachedShowsABannerAndThePageKeepsWorking() throws IOException {
        try (UiServer away = UiServer.start(UiServer.Settings.of("127.0.0.1:1").timeout(Duration.ofSeconds(1)))) {
            browser.get(away.url() + "brokers");
            within(10).untilAsserted(() -> {
                WebElement banner = browser.findElement(By.id("banner"));
                assertThat(banner.isDisplayed()).isTrue();
                assertThat(banner.getText()).startsWith("The cluster cannot be reached: ");
            });
            screenshot("unreachable");
            click(By.linkText("Topics"));
            within(10).untilAsserted(() -> assertThat(browser.findElement(By.id("banner")).isDisplayed()).isTrue());
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Topics");
        }
    }
}
