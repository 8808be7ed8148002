package io.kafkalab.examples;

import io.kafkalab.testkit.ClusterSecurity;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The secured cluster of {@code ./kafkalab cluster --security}: SCRAM users with passwords generated for this run,
 * Kafka's StandardAuthorizer with {@code allow.everyone.if.no.acl.found=false}, ACLs that give each user a part
 * to play, and one client config file per user for {@code --command-config}.
 */
final class LabSecurity {

    /** A user of the secured lab and what the ACLs let them do (the text is printed as is). */
    record User(String name, String may) {
    }

    /** In the order they are printed; the first is the super user behind the cluster's own admin client. */
    static final List<User> USERS = List.of(
            new User("admin", "a super user: everything"),
            new User("alice", "writes, reads and creates every topic, reads in every group"),
            new User("bob", "reads every topic, in groups whose name starts with bob-; may not write"),
            new User("carol", "nothing at all"));

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecurityProtocol protocol;
    private final Map<String, String> passwords = new LinkedHashMap<>();

    private LabSecurity(SecurityProtocol protocol) {
        this.protocol = protocol;
        byte[] bytes = new byte[18];
        for (User user : USERS) {
            RANDOM.nextBytes(bytes);
            passwords.put(user.name(), Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }
    }

    /**
     * @param option the value of {@code --security}: {@code sasl-ssl} or {@code sasl-plaintext}
     * @return the lab's users with fresh passwords on that listener
     * @throws IllegalArgumentException naming the option for any other value
     */
    static LabSecurity of(String option) {
        return switch (option.toLowerCase(Locale.ROOT)) {
            case "sasl-ssl", "sasl_ssl" -> new LabSecurity(SecurityProtocol.SASL_SSL);
            case "sasl-plaintext", "sasl_plaintext" -> new LabSecurity(SecurityProtocol.SASL_PLAINTEXT);
            default -> throw new IllegalArgumentException("--security must be sasl-ssl or sasl-plaintext, but was '"
                    + option + "'");
        };
    }

    SecurityProtocol protocol() {
        return protocol;
    }

    /** @return the listener, the users and their ACLs, for {@link EmbeddedKafkaCluster.Builder#security} */
    ClusterSecurity clusterSecurity() {
        ClusterSecurity.Builder b = ClusterSecurity.builder().listeners(protocol);
        passwords.forEach(b::user);
        return b.authorizer()
                .allow("alice", ResourceType.TOPIC, PatternType.LITERAL, "*",
                        AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS,
                        AclOperation.CREATE)
                .allow("alice", ResourceType.GROUP, PatternType.LITERAL, "*", AclOperation.READ)
                .allow("bob", ResourceType.TOPIC, PatternType.LITERAL, "*", AclOperation.READ, AclOperation.DESCRIBE,
                        AclOperation.DESCRIBE_CONFIGS) // topics describe shows the configs set on a topic
                .allow("bob", ResourceType.GROUP, PatternType.PREFIXED, "bob-", AclOperation.READ)
                .build();
    }

    /**
     * Writes {@code <user>.properties} for every user into {@code directory}, readable by this OS user only: all a
     * client needs ({@code bootstrap.servers}, {@code security.protocol}, SASL and trust store settings).
     *
     * @return each user's file, in {@link #USERS} order
     */
    Map<String, Path> writeClientConfigs(EmbeddedKafkaCluster cluster, Path directory) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (User user : USERS) {
            Properties p = new Properties();
            cluster.clientConfig(protocol, user.name()).forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
            Path file = directory.resolve(user.name() + ".properties");
            try {
                Files.deleteIfExists(file);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (OutputStream out = Files.newOutputStream(file)) {
                    p.store(out, "kafkalab cluster --security: user " + user.name() + " (" + user.may() + ")");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the client config " + file, e);
            }
            files.put(user.name(), file);
        }
        return files;
    }
}
