package io.kafkalab.reliability;

import io.kafkalab.testkit.internal.BrokerDefaults;
import io.kafkalab.testkit.internal.EmbeddedNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * One Kafka broker in a JVM of its own, joining an embedded cluster's dedicated controller, so that a test can
 * crash it for real with SIGKILL: no controlled shutdown, sockets reset by the kernel, the controller finds out
 * only when the broker's session expires. Arguments: node id, cluster id, {@code controller.quorum.voters},
 * client port, data directory, then {@code key=value} broker properties. Prints {@code ready} once the broker
 * is registered and unfenced, then runs until killed.
 */
public final class ChildBrokerMain {

    private ChildBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        int id = Integer.parseInt(args[0]);
        Path dataDir = Path.of(args[4]);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("node.id", args[0]);
        p.put("process.roles", "broker");
        p.put("controller.quorum.voters", args[2]);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + args[3]);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + args[3]);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("node-" + id).toString());
        p.putAll(BrokerDefaults.forBrokers(3));
        for (int i = 5; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            p.put(kv[0], kv[1]);
        }
        EmbeddedNode node = new EmbeddedNode(id, Set.of("broker"), dataDir.resolve("node-" + id), p,
                "127.0.0.1:" + args[3]);
        node.formatIfNeeded(args[1], List.of());
        node.start();
        System.out.println("ready");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
