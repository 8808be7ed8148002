package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kafkalab.bench.Variants.Measurement;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class HttpBenchTest {

    private static final String LATENCY = "latency_us="
            + IntStream.rangeClosed(1, 1000).mapToObj(String::valueOf).collect(Collectors.joining(","));

    @Test
    void wrksSummaryGivesRequestsTimeAndTheLatencyQuantilesInNanoseconds() {
        Measurement m = HttpBench.Wrk.parse("requests=5000 duration_us=2500000 connect=0 read=0 write=0 status=0"
                + " timeout=0", LATENCY, 1024);

        assertThat(m.records()).isEqualTo(5000);
        assertThat(m.seconds()).isEqualTo(2.5);
        assertThat(m.rate()).isEqualTo(2000.0);
        assertThat(m.bytes()).isEqualTo(5000L * 1024);
        assertThat(m.latenciesNanos()).hasSize(1000).startsWith(1_000L).endsWith(1_000_000L);
        assertThat(Stats.percentile(m.latenciesNanos(), 99)).isEqualTo(990_000.0);
    }

    @Test
    void anyErrorWrkCountedFailsTheRun() {
        for (String error : new String[] {"connect", "read", "write", "status", "timeout"}) {
            String summary = ("requests=5000 duration_us=2500000 connect=0 read=0 write=0 status=0 timeout=0")
                    .replace(error + "=0", error + "=3");
            assertThatThrownBy(() -> HttpBench.Wrk.parse(summary, LATENCY, 1024)).as(error)
                    .hasMessageStartingWith("wrk counted 3 errors in 5000 requests");
        }
    }

    @Test
    void theScriptPostsTheBodyAsItIs() {
        String script = HttpBench.Wrk.script("{\"message\": \"a'b\\\"c\"}", Path.of("/tmp/r.txt"));

        assertThat(script).contains("wrk.method = \"POST\"", "wrk.body = [==[{\"message\": \"a'b\\\"c\"}]==]",
                "io.open([==[/tmp/r.txt]==], \"w\")", "latency:percentile(i / 10)");
        assertThatThrownBy(() -> HttpBench.Wrk.script("]==]", Path.of("/tmp/r.txt")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrkPostsTheBodyAndEveryAnswerCounts() throws Exception {
        Assumptions.assumeTrue("true".equalsIgnoreCase(System.getenv("CI")) || HttpBench.wrk(),
                "wrk is not installed (kafkalab-bench/install-peers.sh)");
        String body = "{\"message\": \"" + "x".repeat(100) + "\"}";
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", exchange -> {
            boolean right = exchange.getRequestMethod().equals("POST")
                    && "application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))
                    && new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).equals(body);
            (right ? answered : refused).incrementAndGet();
            exchange.sendResponseHeaders(right ? 200 : 400, -1);
            exchange.close();
        });
        server.createContext("/fail", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Measurement m = new HttpBench.Wrk(1, 0).warmAndLoad(URI.create(base + "/ok"), 2, body);

            assertThat(refused).hasValue(0);
            assertThat(m.records()).isPositive().isLessThanOrEqualTo(answered.get());
            assertThat(m.seconds()).isBetween(0.9, 5.0);
            assertThat(m.latenciesNanos()).hasSize(1000).doesNotContain(0L);
            assertThatThrownBy(() -> new HttpBench.Wrk(1, 0).warmAndLoad(URI.create(base + "/fail"), 2, body))
                    .hasMessageContaining("errors in").hasMessageContaining("status=");
        } finally {
            server.stop(0);
        }
    }
}
