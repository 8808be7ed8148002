package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The docker/ compose files, checked without Docker: what would otherwise only fail once a user runs them
 * (the lab hit the cluster id error exactly so).
 */
class DockerComposeFilesTest {

    private static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();
    private static Map<String, Map<String, Object>> brokers;
    private static Map<String, Object> cluster;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        cluster = yaml("compose.cluster.yml");
        Map<String, Object> services = (Map<String, Object>) cluster.get("services");
        brokers = new LinkedHashMap<>();
        services.forEach((name, service) -> {
            Map<String, Object> s = (Map<String, Object>) service;
            if (String.valueOf(s.get("image")).startsWith("apache/kafka:")) {
                brokers.put(name, s);
            }
        });
    }

    @Test
    void threeBrokersOnTheOfficialImageAtTheProjectsKafkaVersion() {
        String version = System.getProperty("kafka.version");
        assertThat(version).as("kafka.version from the build").isNotBlank();
        assertThat(brokers).hasSize(3);
        assertThat(brokers.values()).allSatisfy(b -> assertThat(b.get("image")).isEqualTo("apache/kafka:" + version));
    }

    @Test
    void nodeIdsAreUniqueAndTheQuorumVotersAreExactlyTheNodes() {
        Map<Integer, String> nodes = new HashMap<>();
        for (Map.Entry<String, Map<String, Object>> b : brokers.entrySet()) {
            int id = Integer.parseInt(env(b.getValue()).get("KAFKA_NODE_ID"));
            assertThat(nodes.put(id, b.getKey())).as("node id %d used twice", id).isNull();
        }
        for (Map<String, Object> b : brokers.values()) {
            Map<String, String> voters = Arrays.stream(env(b).get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(","))
                    .collect(Collectors.toMap(v -> v.substring(0, v.indexOf('@')), v -> v.substring(v.indexOf('@') + 1)));
            assertThat(voters.keySet().stream().map(Integer::parseInt).collect(Collectors.toSet()))
                    .isEqualTo(nodes.keySet());
            voters.forEach((id, hostPort) -> {
                String service = nodes.get(Integer.parseInt(id));
                assertThat(hostPort).as("voter %s", id).isEqualTo(service + ":" + listenerPort(brokers.get(service),
                        "CONTROLLER"));
            });
        }
    }

    @Test
    void advertisedListenersAreReachableFromWhereClientsRun() {
        for (Map.Entry<String, Map<String, Object>> b : brokers.entrySet()) {
            Map<String, String> advertised = listeners(env(b.getValue()).get("KAFKA_ADVERTISED_LISTENERS"));
            // containers on the network reach a broker by its service name
            assertThat(advertised.get("INTERNAL")).isEqualTo(b.getKey() + ":" + listenerPort(b.getValue(), "INTERNAL"));
            // clients on this machine reach it through a port published on 127.0.0.1, the same port inside
            String external = advertised.get("EXTERNAL");
            assertThat(external).startsWith("127.0.0.1:");
            String port = external.substring(external.indexOf(':') + 1);
            assertThat(port).isEqualTo(listenerPort(b.getValue(), "EXTERNAL"));
            assertThat(ports(b.getValue())).contains("127.0.0.1:" + port + ":" + port);
            assertThat(advertised).doesNotContainKey("CONTROLLER");
        }
        assertThat(brokers.values().stream().map(b -> listeners(env(b).get("KAFKA_ADVERTISED_LISTENERS")).get("EXTERNAL")))
                .containsExactly("127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094");
    }

    @Test
    void theClusterIdIsABase64EncodedUuidAndTheSameOnEveryNode() {
        Set<String> ids = brokers.values().stream().map(b -> env(b).get("CLUSTER_ID")).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
        String id = ids.iterator().next();
        assertThat(id).hasSize(22);
        assertThat(Uuid.fromString(id).toString()).isEqualTo(id); // throws for the lab's 9-byte id
    }

    @Test
    void replicationDefaultsFitThreeBrokersAndEveryPortIsOnLoopback() {
        for (Map<String, Object> b : brokers.values()) {
            Map<String, String> env = env(b);
            assertThat(Integer.parseInt(env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"))).isBetween(1, 3);
            assertThat(Integer.parseInt(env.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")))
                    .isLessThanOrEqualTo(Integer.parseInt(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR")));
            assertThat(b.get("healthcheck")).isNotNull();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> services = (Map<String, Object>) cluster.get("services");
        services.values().forEach(s -> ports(s).forEach(p -> assertThat(p).startsWith("127.0.0.1:")));
        assertThat(ports(services.get("kafka-ui"))).containsExactly("127.0.0.1:8080:8080");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAppsReachTheBrokersInternalListenersThroughTheirEnvFile() throws IOException {
        Map<String, Object> apps = yaml("compose.apps.yml");
        Properties env = new Properties();
        try (Reader r = Files.newBufferedReader(DOCKER.resolve(".env"))) {
            env.load(r);
        }
        List<String> internal = brokers.entrySet().stream()
                .map(b -> listeners(env(b.getValue()).get("KAFKA_ADVERTISED_LISTENERS")).get("INTERNAL")).toList();
        assertThat(List.of(env.getProperty("KAFKA_BOOTSTRAP_SERVERS").split(","))).isEqualTo(internal);
        assertThat(env.getProperty("KAFKA_TOPIC")).isEqualTo("topic");
        Map<String, Object> services = (Map<String, Object>) apps.get("services");
        assertThat(services).containsOnlyKeys("producer", "single-consumer-1", "single-consumer-2", "batch-consumer-1",
                "batch-consumer-2", "http-api");
        services.values().forEach(s -> {
            Map<String, Object> service = (Map<String, Object>) s;
            assertThat(service.get("env_file")).isEqualTo(".env");
            String main = ((List<String>) service.get("command")).get(0);
            assertThat(main).startsWith("io.kafkalab.examples.");
            assertThat(Files.exists(Path.of("src/main/java", main.replace('.', '/') + ".java"))).as(main).isTrue();
        });
        assertThat(Files.readString(DOCKER.resolve("Dockerfile"))).contains("kafkalab-examples/target/lib/");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> env(Map<String, Object> service) {
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) service.get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
        return env;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ports(Object service) {
        Object ports = ((Map<String, Object>) service).get("ports");
        return ports == null ? List.of() : ((List<Object>) ports).stream().map(String::valueOf).toList();
    }

    private static Map<String, String> listeners(String value) {
        return Arrays.stream(value.split(",")).collect(Collectors.toMap(l -> l.substring(0, l.indexOf("://")),
                l -> l.substring(l.indexOf("://") + 3), (a, b) -> a, LinkedHashMap::new));
    }

    private static String listenerPort(Map<String, Object> broker, String name) {
        String hostPort = listeners(env(broker).get("KAFKA_LISTENERS")).get(name);
        return hostPort.substring(hostPort.lastIndexOf(':') + 1);
    }

    private static Map<String, Object> yaml(String file) throws IOException {
        try (Reader r = Files.newBufferedReader(DOCKER.resolve(file))) {
            return new Yaml().load(r);
        }
    }
}
