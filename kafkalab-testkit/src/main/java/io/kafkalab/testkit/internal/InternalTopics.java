package io.kafkalab.testkit.internal;

import io.kafkalab.testkit.KafkaClusterException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Has a broker create Kafka's group and share-group internal topics ({@code __consumer_offsets},
 * {@code __share_group_state}) the way the first group would: by asking it for a coordinator until it names one.
 * Kafka creates each topic on the first such request; a share group that comes first instead has its partitions'
 * state initialized by the broker's persister, which meets a state topic still being created, and retries after a
 * fixed 1 s backoff. No client API asks for a share coordinator (only brokers do), so this speaks Kafka's protocol
 * on a PLAINTEXT listener, through the client library's own request classes. Not part of the API.
 */
public final class InternalTopics {

    private static final int BACKOFF_MILLIS = 20;
    /** What a broker answers while it creates the topic and elects its leaders. */
    private static final Set<Errors> RETRIABLE = EnumSet.of(Errors.COORDINATOR_NOT_AVAILABLE,
            Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_COORDINATOR);

    private InternalTopics() {
    }

    /**
     * @param host    a broker's PLAINTEXT listener
     * @param port    its port
     * @param timeout the bound on both topics having a coordinator
     * @throws KafkaClusterException when the broker names none within the bound
     */
    public static void create(String host, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // a share coordinator key is group:topicId:partition; no such group or topic has to exist
        Map<CoordinatorType, String> pending = new EnumMap<>(Map.of(CoordinatorType.GROUP, "kafkalab-internal-topics",
                CoordinatorType.SHARE, "kafkalab-internal-topics:" + Uuid.randomUuid() + ":0"));
        Map<CoordinatorType, String> last = new EnumMap<>(CoordinatorType.class);
        int correlation = 0;
        while (true) {
            try (Socket socket = new Socket()) {
                int remaining = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                socket.connect(new InetSocketAddress(host, port), remaining);
                socket.setSoTimeout(remaining);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                DataInputStream in = new DataInputStream(socket.getInputStream());
                while (true) {
                    // both asked in each round, so that the broker creates the two topics at the same time
                    for (Iterator<Map.Entry<CoordinatorType, String>> it = pending.entrySet().iterator();
                            it.hasNext(); ) {
                        Map.Entry<CoordinatorType, String> e = it.next();
                        Errors error = findCoordinator(out, in, e.getKey(), e.getValue(), ++correlation);
                        if (error == Errors.NONE) {
                            it.remove();
                        } else if (RETRIABLE.contains(error)) {
                            last.put(e.getKey(), error.name());
                        } else {
                            throw new KafkaClusterException("the broker at " + host + ":" + port + " cannot create "
                                    + "the " + e.getKey() + " coordinator's topic: " + error.message(),
                                    error.exception());
                        }
                    }
                    if (pending.isEmpty()) {
                        return;
                    }
                    pause(deadline, timeout, last);
                }
            } catch (IOException e) {
                pending.keySet().forEach(type -> last.put(type, e.toString()));
                pause(deadline, timeout, last);
            }
        }
    }

    private static Errors findCoordinator(DataOutputStream out, DataInputStream in, CoordinatorType type, String key,
            int correlation) throws IOException {
        short version = ApiKeys.FIND_COORDINATOR.latestVersion();
        RequestHeader header = new RequestHeader(ApiKeys.FIND_COORDINATOR, version, "kafkalab-internal-topics",
                correlation);
        ByteBuffer request = new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                .setKeyType(type.id()).setCoordinatorKeys(List.of(key))).build(version).serializeWithHeader(header);
        byte[] bytes = new byte[request.remaining()];
        request.get(bytes);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        FindCoordinatorResponse parsed = (FindCoordinatorResponse) AbstractResponse.parseResponse(
                ByteBuffer.wrap(response), header);
        return Errors.forCode(parsed.data().coordinators().get(0).errorCode());
    }

    private static void pause(long deadline, Duration timeout, Map<CoordinatorType, String> last) {
        if (System.nanoTime() - deadline > 0) {
            throw new KafkaClusterException("timed out after " + timeout.toMillis() + " ms waiting for the group "
                    + "coordinators' internal topics (last answers: " + last + ")");
        }
        try {
            Thread.sleep(BACKOFF_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while waiting for the group coordinators' internal topics",
                    e);
        }
    }
}
