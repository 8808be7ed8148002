package io.kafkalab.testkit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Starts, uses and closes clusters one after the other in a JVM of its own, checking after each then reports the non-daemon threads still alive
 * (waiting up to 10 s for Kafka executors that end just after close) and whether the ports can be bound again.
 * Run by EmbeddedKafkaClusterLifecycleIT in a child JVM, where no other cluster's threads can be mistaken for
 * leftovers.
 */
public final class CloseCheckMain {

    private CloseCheckMain() {
    }

    /**
     * @param args pairs of broker count and topology, for example {@code 1 COMBINED 3 DEDICATED_CONTROLLER}: each
     *             cluster is started, used, closed and checked in turn
     */
    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i += 2) {
            check(Integer.parseInt(args[i]), EmbeddedKafkaCluster.Topology.valueOf(args[i + 1]));
        }
        System.exit(0);
    }

    private static void check(int brokers, EmbeddedKafkaCluster.Topology topology) throws Exception {
        String label = brokers + " " + topology + ": ";
        EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(brokers).topology(topology).start();
        List<Integer> ports = List.of(cluster.bootstrapServers().split(",")).stream()
                .map(a -> Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))).toList();
        String topic = "close-check";
        cluster.createTopic(topic, 2, 1);
        KafkaTestUtils.produce(cluster, topic, 10, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));
        System.out.println(label + "consumed " + KafkaTestUtils.consume(cluster, topic, 10, Duration.ofSeconds(30)).size());
        cluster.close();
        System.out.println(label + "data directory deleted " + !cluster.dataDirectory().toFile().exists());
        List<String> leftover = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            leftover = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !t.isDaemon() && t.isAlive() && t != Thread.currentThread()
                            && !t.getName().equals("DestroyJavaVM"))
                    .map(Thread::getName).sorted().toList();
            if (leftover.isEmpty()) {
                break;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < deadline);
        System.out.println(label + "non-daemon threads left " + leftover);
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
        System.out.println(label + "ports free " + ports.size());
    }
}
