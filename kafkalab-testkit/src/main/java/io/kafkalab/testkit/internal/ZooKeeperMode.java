package io.kafkalab.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration of a forked cluster in ZooKeeper mode (Kafka 3.x brokers on a ZooKeeper server), and how to tell
 * that ZooKeeper serves. Not part of the API.
 */
public final class ZooKeeperMode {

    /**
     * The brokers' ZooKeeper session: a SIGKILLed broker's registration ({@code /brokers/ids/<id>}, an ephemeral
     * node) goes after this, so its leaderships move and a new process of it can register again. Kafka's default is
     * 18 s; ZooKeeper takes 4 to 40 s with a tick of 2 s.
     */
    static final int SESSION_TIMEOUT_MS = 6_000;

    private ZooKeeperMode() {
    }

    /**
     * A standalone {@code zoo.cfg}: seed 004's (tick 2 s, data directory, client port), bound to 127.0.0.1, without
     * the AdminServer (Jetty on port 8080 by default) and with the four-letter words {@code srvr}, {@code ruok},
     * {@code stat} and {@code mntr}.
     *
     * @param dataDir the server's {@code dataDir}
     * @param port    its client port
     * @return the entries
     */
    public static Map<String, String> zooCfg(Path dataDir, int port) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("tickTime", "2000");
        p.put("initLimit", "10");
        p.put("syncLimit", "5");
        p.put("dataDir", dataDir.toString());
        p.put("clientPort", String.valueOf(port));
        p.put("clientPortAddress", "127.0.0.1");
        p.put("maxClientCnxns", "60");
        p.put("admin.enableServer", "false");
        p.put("4lw.commands.whitelist", "srvr,ruok,stat,mntr");
        return p;
    }

    /**
     * @param brokerId         the broker id
     * @param zookeeperConnect {@code host:port} of ZooKeeper
     * @param listener         {@code host:port} of the broker's client listener
     * @param logDir           its {@code log.dirs}
     * @return a ZooKeeper-mode broker's own properties (the caller adds the shared defaults): its id, ZooKeeper with
     *     a {@value #SESSION_TIMEOUT_MS} ms session, its listener, its directory, 0.5 s between controlled shutdown
     *     tries
     */
    public static Map<String, String> brokerProperties(int brokerId, String zookeeperConnect, String listener,
                                                       Path logDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("broker.id", String.valueOf(brokerId));
        p.put("zookeeper.connect", zookeeperConnect);
        p.put("zookeeper.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS));
        p.put("listeners", "PLAINTEXT://" + listener);
        p.put("advertised.listeners", "PLAINTEXT://" + listener);
        p.put("log.dirs", logDir.toString());
        // when the whole cluster stops, the last brokers have nowhere to move their leaders: Kafka's 5 s between
        // the 3 tries made a close take 15 s longer
        p.put("controlled.shutdown.retry.backoff.ms", "500");
        return p;
    }

    /**
     * ZooKeeper's {@code srvr}: it serves once it answers with its mode ({@code standalone}, {@code leader},
     * {@code follower}); before it has loaded its database it answers that it is not serving requests.
     *
     * @param host ZooKeeper's host
     * @param port its client port
     * @return whether it serves now; bounded by about two seconds
     */
    public static boolean serves(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1_000);
            s.setSoTimeout(1_000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).contains("Mode: ");
        } catch (IOException e) {
            return false;
        }
    }
}
