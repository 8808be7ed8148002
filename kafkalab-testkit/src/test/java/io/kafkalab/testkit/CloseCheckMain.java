package io.kafkalab.testkit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Starts, uses and closes one cluster in a JVM of its own, then reports the non-daemon threads still alive
 * (waiting up to 10 s for Kafka executors that end just after close) and whether the ports can be bound again.
 * Run by EmbeddedKafkaClusterLifecycleIT in a child JVM, where no other cluster's threads can be mistaken for
 * leftovers.
 */
public final class CloseCheckMain {

    private CloseCheckMain() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(Integer.parseInt(args[0])).start();
        List<Integer> ports = List.of(cluster.bootstrapServers().split(",")).stream()
                .map(a -> Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))).toList();
        String topic = "close-check";
        cluster.createTopic(topic, 2, 1);
        KafkaTestUtils.produce(cluster, topic, 10, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));
        System.out.println("consumed " + KafkaTestUtils.consume(cluster, topic, 10, Duration.ofSeconds(30)).size());
        cluster.close();
        System.out.println("data directory deleted " + !cluster.dataDirectory().toFile().exists());
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
        System.out.println("non-daemon threads left " + leftover);
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
        System.out.println("ports free " + ports.size());
        System.exit(0);
    }
}
