package io.kafkalab.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Secured client listeners for an {@link EmbeddedKafkaCluster}: which protocols the brokers offer to
 * clients (SASL_PLAINTEXT, SSL, SASL_SSL) and which SCRAM-SHA-512 users exist. Immutable; build one with
 * {@link #builder()} and pass it to {@link EmbeddedKafkaCluster.Builder#security(ClusterSecurity)}.
 *
 * <p>What the cluster then does:
 * <ul>
 *   <li>every broker gets one listener per protocol here, named after the protocol, on 127.0.0.1. The
 *       first protocol is the one {@link EmbeddedKafkaCluster#bootstrapServers()} and
 *       {@link EmbeddedKafkaCluster#adminConfig()} use, with the first user;</li>
 *   <li>SASL listeners accept SCRAM-SHA-512 only. The users are written into the metadata log when the
 *       storage is formatted (what {@code kafka-storage format --add-scram} does), so they exist before the
 *       first client connects;</li>
 *   <li>TLS listeners present a self-signed certificate for {@code 127.0.0.1} and {@code localhost},
 *       generated at start with the JDK's {@code keytool} into the data directory, valid for two days;
 *       clients trust it through the PKCS12 trust store named in
 *       {@link EmbeddedKafkaCluster#clientConfig(SecurityProtocol, String)}, with hostname verification on;</li>
 *   <li>inter-broker and controller traffic stays on PLAINTEXT listeners bound to 127.0.0.1. This is a
 *       test cluster: the point is to exercise the clients' security, not to harden the brokers. A client
 *       that connects to the PLAINTEXT listener ({@code bootstrapServers(SecurityProtocol.PLAINTEXT)}) is
 *       not authenticated. Without {@link Builder#authorizer()} no authorizer runs: an authenticated user may
 *       do anything.</li>
 * </ul>
 *
 * <p><b>Authorization.</b> With {@link Builder#authorizer()} every node runs Kafka's KRaft
 * {@code org.apache.kafka.metadata.authorizer.StandardAuthorizer} with
 * {@code allow.everyone.if.no.acl.found=false}: a user may do only what an ACL allows. Super users, who
 * bypass the ACLs, are the first user (the test admin behind {@link EmbeddedKafkaCluster#admin()}) and
 * {@code User:ANONYMOUS}, the principal of the PLAINTEXT inter-broker and controller listeners. So a client on
 * the PLAINTEXT listener is a super user too: the back door of a test cluster, never to be given to the code
 * under test. The ACLs of {@link Builder#allow}, {@link Builder#deny} and {@link Builder#acl(AclBinding)} are
 * created through the admin before {@code start()} returns; more can be added any time with
 * {@code cluster.admin().createAcls(...)}.
 *
 *
 * <pre>{@code
 * ClusterSecurity security = ClusterSecurity.builder()
 *         .listeners(SecurityProtocol.SASL_SSL, SecurityProtocol.SSL)
 *         .user("alice", "alice-secret")
 *         .build();
 * try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().security(security).start()) {
 *     Map<String, Object> alice = cluster.clientConfig(SecurityProtocol.SASL_SSL, "alice");
 * }
 * }</pre>
 */
public final class ClusterSecurity {

    /** The one SASL mechanism the secured listeners accept. */
    public static final String SASL_MECHANISM = "SCRAM-SHA-512";

    private final List<SecurityProtocol> listeners;
    private final Map<String, String> users;
    private final boolean authorizer;
    private final List<AclBinding> acls;

    private ClusterSecurity(Builder b) {
        this.listeners = List.copyOf(b.listeners);
        this.users = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.users));
        this.authorizer = b.authorizer;
        this.acls = List.copyOf(b.acls);
    }

    /** The authorizer {@link Builder#authorizer()} turns on, Kafka's own for KRaft. */
    public static final String AUTHORIZER_CLASS = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    /** @return a builder with no listener and no user yet */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the secured client protocols, in the order given; the first is the default for clients */
    public List<SecurityProtocol> listeners() {
        return listeners;
    }

    /** @return SCRAM-SHA-512 user names to passwords, in the order given; the first is the default user */
    public Map<String, String> users() {
        return users;
    }

    /** @return whether the nodes run {@link #AUTHORIZER_CLASS}, see the class documentation */
    public boolean authorizer() {
        return authorizer;
    }

    /** @return the ACLs created at start, in the order given */
    public List<AclBinding> acls() {
        return acls;
    }

    /**
     * @return the principals that bypass the ACLs: {@code User:ANONYMOUS} (PLAINTEXT inter-broker and controller
     *     traffic) and the first user, if any
     */
    public List<String> superUsers() {
        List<String> supers = new ArrayList<>();
        supers.add("User:ANONYMOUS");
        users.keySet().stream().findFirst().ifPresent(u -> supers.add("User:" + u));
        return supers;
    }

    /** @return whether any listener uses SASL */
    public boolean usesSasl() {
        return listeners.stream().anyMatch(p -> p == SecurityProtocol.SASL_PLAINTEXT || p == SecurityProtocol.SASL_SSL);
    }

    /** @return whether any listener uses TLS */
    public boolean usesTls() {
        return listeners.stream().anyMatch(p -> p == SecurityProtocol.SSL || p == SecurityProtocol.SASL_SSL);
    }

    @Override
    public String toString() {
        // never the passwords
        return "ClusterSecurity{listeners=" + listeners + ", users=" + users.keySet()
                + (authorizer ? ", authorizer, " + acls.size() + " ACLs" : "") + "}";
    }

    /** Builds a {@link ClusterSecurity}; each value is checked when set. Not thread safe. */
    public static final class Builder {
        private final List<SecurityProtocol> listeners = new ArrayList<>();
        private final Map<String, String> users = new LinkedHashMap<>();
        private boolean authorizer;
        private final List<AclBinding> acls = new ArrayList<>();

        private Builder() {
        }

        /**
         * Runs {@link #AUTHORIZER_CLASS} on every node, with {@code allow.everyone.if.no.acl.found=false} and the
         * {@link #superUsers()}; see the class documentation.
         *
         * @return this
         */
        public Builder authorizer() {
            this.authorizer = true;
            return this;
        }

        /**
         * Allows a user operations on one resource (or, with {@link PatternType#PREFIXED}, every resource whose
         * name starts with {@code name}), from any host. Implies {@link #authorizer()}.
         *
         * @param user        user name, as given to {@link #user(String, String)}, or {@code *} for every user
         * @param type        TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID or DELEGATION_TOKEN
         * @param pattern     LITERAL or PREFIXED
         * @param name        resource name ({@code kafka-cluster} for CLUSTER), or {@code *} with LITERAL
         * @param operations  one or more, e.g. READ, WRITE, DESCRIBE, ALL
         * @return this
         */
        public Builder allow(String user, ResourceType type, PatternType pattern, String name,
                             AclOperation... operations) {
            return add(user, type, pattern, name, AclPermissionType.ALLOW, operations);
        }

        /**
         * Denies a user operations; a DENY wins over every ALLOW. Parameters as in
         * {@link #allow(String, ResourceType, PatternType, String, AclOperation...)}.
         *
         * @return this
         */
        public Builder deny(String user, ResourceType type, PatternType pattern, String name,
                            AclOperation... operations) {
            return add(user, type, pattern, name, AclPermissionType.DENY, operations);
        }

        /**
         * Adds an ACL as Kafka's {@code Admin.createAcls} takes it. Implies {@link #authorizer()}.
         *
         * @param acl the binding
         * @return this
         */
        public Builder acl(AclBinding acl) {
            Objects.requireNonNull(acl, "acl");
            if (acl.isUnknown()) {
                throw new IllegalArgumentException("acl must not have UNKNOWN or ANY parts, but was " + acl);
            }
            acls.add(acl);
            authorizer = true;
            return this;
        }

        private Builder add(String user, ResourceType type, PatternType pattern, String name,
                            AclPermissionType permission, AclOperation... operations) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(name, "name");
            if (user.isBlank()) {
                throw new IllegalArgumentException("user must not be blank, but was '" + user + "'");
            }
            if (pattern != PatternType.LITERAL && pattern != PatternType.PREFIXED) {
                throw new IllegalArgumentException("pattern must be LITERAL or PREFIXED, but was " + pattern);
            }
            if (operations.length == 0) {
                throw new IllegalArgumentException("operations must name at least one operation, but was empty");
            }
            for (AclOperation operation : operations) {
                acl(new AclBinding(new ResourcePattern(type, name, pattern),
                        new AccessControlEntry("User:" + user, "*", Objects.requireNonNull(operation, "operation"),
                                permission)));
            }
            return this;
        }

        /**
         * Adds client listeners, one of each per broker.
         *
         * @param protocols SASL_PLAINTEXT, SSL or SASL_SSL, each at most once
         * @return this
         * @throws IllegalArgumentException for PLAINTEXT (always there, for brokers) or a repeated protocol
         */
        public Builder listeners(SecurityProtocol... protocols) {
            for (SecurityProtocol p : protocols) {
                Objects.requireNonNull(p, "protocol");
                if (p == SecurityProtocol.PLAINTEXT) {
                    throw new IllegalArgumentException("listeners must be secured (SASL_PLAINTEXT, SSL or SASL_SSL), "
                            + "but was PLAINTEXT");
                }
                if (listeners.contains(p)) {
                    throw new IllegalArgumentException("listeners must not repeat a protocol, but " + p
                            + " was given twice");
                }
                listeners.add(p);
            }
            return this;
        }

        /**
         * Adds a SCRAM-SHA-512 user.
         *
         * @param name     user name: not blank, no {@code ,} or {@code "} (the format tool's syntax)
         * @param password password: not empty, no {@code ,} or {@code "}
         * @return this
         */
        public Builder user(String name, String password) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
            if (name.isBlank() || name.contains(",") || name.contains("\"")) {
                throw new IllegalArgumentException("user name must be non-blank without ',' or '\"', but was '"
                        + name + "'");
            }
            if (password.isEmpty() || password.contains(",") || password.contains("\"")) {
                // the value itself stays out of the message
                throw new IllegalArgumentException("password of user " + name
                        + " must be non-empty without ',' or '\"'");
            }
            users.put(name, password);
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException without a listener, or with a SASL listener and no user
         */
        public ClusterSecurity build() {
            if (listeners.isEmpty()) {
                throw new IllegalArgumentException("listeners must name at least one protocol, but was empty");
            }
            ClusterSecurity security = new ClusterSecurity(this);
            if (security.usesSasl() && users.isEmpty()) {
                throw new IllegalArgumentException("users must not be empty with a SASL listener " + listeners);
            }
            return security;
        }
    }
}
