package io.kafkalab.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Starts, uses and closes one cluster in a JVM of its own, then reports what is left of it: the threads it
 * started, daemon or not (waiting up to 10 s for Kafka executors that end just after close), and the TCP ports
 * this process listened on while the cluster ran (client listeners of every protocol, controller listeners),
 * read from Linux's {@code /proc}: whether any is still listening and whether each can be bound again. Run by
 * EmbeddedKafkaClusterLifecycleIT in a child JVM, where no other cluster's threads or sockets can be mistaken
 * for leftovers. Arguments: one {@code <brokers>:<topology>:<secured|plain>} per cluster, checked one after the
 * other: the first one leaves the {@value #JVM_WIDE_THREAD}* threads that Kafka's broker code starts once per JVM
 * (its Yammer metrics registry is a static one), the later ones show that they are not per cluster.
 */
public final class CloseCheckMain {

    private CloseCheckMain() {
    }

    /** The two daemon threads of Yammer metrics' JVM-wide registry: the broker code starts them once per JVM. */
    static final String JVM_WIDE_THREAD = "metrics-meter-tick-thread-";

    public static void main(String[] args) {
        try {
            for (String arg : args) {
                String[] c = arg.split(":");
                check(arg, Integer.parseInt(c[0]), EmbeddedKafkaCluster.Topology.valueOf(c[1]),
                        c[2].equals("secured"));
            }
        } catch (Exception | Error e) {
            // a cluster's non-daemon threads would keep this JVM up, and the test would wait for "done" in vain
            System.out.println("failed: " + e);
            System.exit(1);
        }
        System.out.println("done");
        System.exit(0);
    }

    /** One cluster's start, use and close; prints {@code <label> <what>} lines. */
    private static void check(String label, int brokers, EmbeddedKafkaCluster.Topology topology, boolean secured)
            throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        Set<Integer> listeningBefore = listeningPorts();
        EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder().brokers(brokers).topology(topology);
        if (secured) {
            builder.security(ClusterSecurity.builder()
                    .listeners(SecurityProtocol.SASL_SSL, SecurityProtocol.SSL, SecurityProtocol.SASL_PLAINTEXT)
                    .user("alice", "alice-secret").build());
        }
        EmbeddedKafkaCluster cluster = builder.start();
        String topic = "close-check";
        cluster.createTopic(topic, 2, 1);
        KafkaTestUtils.produce(cluster, topic, 10, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));
        print(label, "consumed " + KafkaTestUtils.consume(cluster, topic, 10, Duration.ofSeconds(30)).size());
        Set<Integer> ports = listeningPorts();
        ports.removeAll(listeningBefore);
        print(label, "listening while open " + ports.size());
        cluster.close();
        print(label, "data directory deleted " + !cluster.dataDirectory().toFile().exists());

        List<String> leftover;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            // the JDK's "process reaper" (its pool for child processes, here keytool's) is the JDK's, not the cluster's
            leftover = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !before.contains(t) && !t.getName().equals("process reaper"))
                    .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : "")).sorted().toList();
            if (leftover.stream().allMatch(t -> t.startsWith(JVM_WIDE_THREAD))) {
                break;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < deadline);
        print(label, "threads left " + leftover);

        Set<Integer> stillListening = listeningPorts();
        stillListening.retainAll(ports);
        print(label, "still listening " + stillListening);
        int free = 0;
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                free++;
            } catch (IOException e) {
                print(label, "port " + port + " cannot be bound again: " + e.getMessage());
            }
        }
        print(label, "ports free " + free);
    }

    private static void print(String label, String line) {
        System.out.println(label + " " + line);
    }

    /** @return the local ports of TCP sockets this process listens on (Linux: sockets of /proc/self/fd in LISTEN) */
    static Set<Integer> listeningPorts() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed since the listing
                }
            });
        }
        Set<Integer> ports = new TreeSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            // read once: the table is the whole network namespace's, and other processes change it between reads
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }
}
