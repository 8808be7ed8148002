package io.kafkalab.examples;

import io.kafkalab.examples.ui.UiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kafkalab ui}: the lab's Kafka UI, without Docker. */
@Command(name = "ui", mixinStandardHelpOptions = true,
        description = {"Serve a live web view of the cluster: brokers and the KRaft quorum, topics and their partitions, "
                + "consumer groups with their lag (and a chart of it over time), messages to browse and search, a form "
                + "to produce one (off with --read-only). JSON API under /api/ (docs/ui.md).",
            "It starts even when the cluster does not answer yet: the page then says so, and recovers by itself."})
final class UiCommand implements Callable<Integer>, KafkaLab.StartsWithoutCluster {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 shares the UI with the network).")
    String bind;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks one).")
    int port;

    @Option(names = "--read-only", description = "No producing from the page.")
    boolean readOnly;

    @Option(names = "--sample-every", defaultValue = "2s", converter = DurationConverter.class,
            description = "How often each group's lag is sampled for its chart (default: ${DEFAULT-VALUE}).")
    Duration sampleEvery;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        UiServer ui;
        try {
            ui = UiServer.start(UiServer.Settings.of(kafka.bootstrapServers).at(bind, port)
                    .withClientConfig(kafka.securityConfig()).readOnly(readOnly).sampleEvery(sampleEvery));
        } catch (java.net.BindException e) {
            throw new IllegalArgumentException("cannot listen on " + bind + ":" + port + " (" + e.getMessage()
                    + "): is another UI running? Try --port 0");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ui.close();
            stopped.countDown();
        }, "kafkalab-ui-shutdown"));
        out.printf("kafkalab UI for %s: %s%s (Ctrl-C stops)%n", kafka.bootstrapServers, ui.url(),
                readOnly ? " read-only" : "");
        out.flush();
        stopped.await();
        return 0;
    }
}
