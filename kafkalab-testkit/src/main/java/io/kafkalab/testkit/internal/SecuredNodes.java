package io.kafkalab.testkit.internal;

import io.kafkalab.testkit.ClusterSecurity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * What a {@link ClusterSecurity} means to a KRaft node and to a client, shared by the in-JVM and the forked
 * cluster: the storage format's SCRAM users, the secured listeners' and the authorizer's settings, a user's client
 * settings. Stateless. Not part of the API.
 */
public final class SecuredNodes {

    private SecuredNodes() {
    }

    /**
     * The brokers' client listeners: the secured ones in the order given, the first on {@code firstPorts}, then
     * PLAINTEXT (always there, for inter-broker traffic); the others on free ports.
     *
     * @param firstPorts the first listener's port of every broker
     * @return each listener's ports, one per broker, in listener order
     */
    public static Map<SecurityProtocol, List<Integer>> listenerPorts(ClusterSecurity security, List<Integer> firstPorts) {
        List<SecurityProtocol> protocols = new ArrayList<>();
        if (security != null) {
            protocols.addAll(security.listeners());
        }
        protocols.add(SecurityProtocol.PLAINTEXT);
        Map<SecurityProtocol, List<Integer>> ports = new LinkedHashMap<>();
        for (SecurityProtocol protocol : protocols) {
            ports.put(protocol, ports.isEmpty() ? firstPorts : Ports.free(firstPorts.size()));
        }
        return ports;
    }

    /** @return every listener's {@code bootstrap.servers} on 127.0.0.1, in listener order */
    public static Map<SecurityProtocol, String> bootstrapServers(Map<SecurityProtocol, List<Integer>> ports) {
        Map<SecurityProtocol, String> servers = new LinkedHashMap<>();
        ports.forEach((protocol, list) -> servers.put(protocol, list.stream().map(port -> "127.0.0.1:" + port)
                .collect(java.util.stream.Collectors.joining(","))));
        return servers;
    }

    /**
     * @return the {@code bootstrap.servers} of one listener
     * @throws IllegalArgumentException when the cluster has no such listener
     */
    public static String bootstrapServers(Map<SecurityProtocol, String> byProtocol, SecurityProtocol protocol) {
        String servers = byProtocol.get(java.util.Objects.requireNonNull(protocol, "protocol"));
        if (servers == null) {
            throw new IllegalArgumentException("no " + protocol + " listener; the cluster has " + byProtocol.keySet());
        }
        return servers;
    }

    /** @return {@code --add-scram} arguments of {@code kafka-storage format} for every user (none without SASL) */
    public static List<String> formatArgs(ClusterSecurity security) {
        List<String> args = new ArrayList<>();
        if (security != null && security.usesSasl()) {
            security.users().forEach((user, password) -> {
                args.add("--add-scram");
                args.add(ClusterSecurity.SASL_MECHANISM + "=[name=" + user + ",password=" + password + "]");
            });
        }
        return args;
    }

    /** @return broker settings of the secured listeners: SCRAM-SHA-512 on SASL ones, the key store on TLS ones */
    public static Map<String, String> listenerProperties(ClusterSecurity security, TlsFiles tls) {
        Map<String, String> p = new LinkedHashMap<>();
        if (security == null) {
            return p;
        }
        if (security.usesSasl()) {
            p.put("sasl.enabled.mechanisms", ClusterSecurity.SASL_MECHANISM);
            for (SecurityProtocol protocol : security.listeners()) {
                if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
                    p.put("listener.name." + protocol.name.toLowerCase(Locale.ROOT) + ".scram-sha-512.sasl.jaas.config",
                            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
                }
            }
        }
        if (tls != null) {
            p.put("ssl.keystore.location", tls.keyStore().toString());
            p.put("ssl.keystore.password", tls.password());
            p.put("ssl.key.password", tls.password());
            p.put("ssl.keystore.type", TlsFiles.TYPE);
        }
        return p;
    }

    /** @return settings of every node (brokers and controllers) for {@link ClusterSecurity.Builder#authorizer()} */
    public static Map<String, String> authorizerProperties(ClusterSecurity security) {
        Map<String, String> p = new LinkedHashMap<>();
        if (security != null && security.authorizer()) {
            p.put("authorizer.class.name", ClusterSecurity.AUTHORIZER_CLASS);
            p.put("allow.everyone.if.no.acl.found", "false");
            p.put("super.users", String.join(";", security.superUsers()));
        }
        return p;
    }

    /**
     * @param bootstrap the listener's {@code host:port} list
     * @param user      for SASL, a user of {@link ClusterSecurity#users()}; ignored otherwise, may then be null
     * @return a fresh mutable map with everything a client of that listener needs
     * @throws IllegalArgumentException for an unknown user
     */
    public static Map<String, Object> clientConfig(ClusterSecurity security, TlsFiles tls, SecurityProtocol protocol,
                                                   String user, String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name);
        if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
            String password = security == null ? null : security.users().get(user);
            if (password == null) {
                throw new IllegalArgumentException("no user '" + user + "'; the users are "
                        + (security == null ? "none" : security.users().keySet()));
            }
            config.put(SaslConfigs.SASL_MECHANISM, ClusterSecurity.SASL_MECHANISM);
            config.put(SaslConfigs.SASL_JAAS_CONFIG, scramJaasConfig(user, password));
        }
        if (protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL) {
            config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.trustStore().toString());
            config.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, tls.password());
            config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, TlsFiles.TYPE);
        }
        return config;
    }

    /**
     * @param plaintext the PLAINTEXT {@code bootstrap.servers}, for a cluster without security
     * @return what the cluster's own admin client uses: PLAINTEXT without security, else the first secured listener
     *     as the first user (a super user)
     */
    public static Map<String, Object> adminConfig(ClusterSecurity security, TlsFiles tls, String plaintext,
                                                  Map<SecurityProtocol, String> byProtocol) {
        if (security == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, plaintext);
            return config;
        }
        SecurityProtocol first = security.listeners().get(0);
        return clientConfig(security, tls, first, security.users().keySet().stream().findFirst().orElse(null),
                bootstrapServers(byProtocol, first));
    }

    /** A client {@code sasl.jaas.config} value for SCRAM with these credentials, quoted and escaped. */
    private static String scramJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + jaasEscape(user)
                + "\" password=\"" + jaasEscape(password) + "\";";
    }

    private static String jaasEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
