package io.kafkalab.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where Kafka is and how to log in, as the lab's {@code .env} said: from options, else from the environment, else
 * the defaults. Client settings are layered: {@code bootstrap.servers}, then the {@code --command-config} file (Kafka
 * tools' convention), then each security option that is set. A password never appears in output or in an error.
 */
final class KafkaOptions {

    @Option(names = {"-b", "--bootstrap-servers"},
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}, "
                    + "where ./kafkalab cluster listens).")
    String bootstrapServers;

    @Option(names = {"-t", "--topic"}, defaultValue = "${env:KAFKA_TOPIC:-topic}",
            description = "Topic (env KAFKA_TOPIC; default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--command-config", paramLabel = "FILE", defaultValue = "${env:KAFKA_COMMAND_CONFIG}",
            description = "Client settings from a .properties file, as Kafka's tools take them "
                    + "(env KAFKA_COMMAND_CONFIG); the options below override it.")
    Path commandConfig;

    @Option(names = "--security-protocol", defaultValue = "${env:KAFKA_SECURITY_PROTOCOL}",
            description = "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (env KAFKA_SECURITY_PROTOCOL; default PLAINTEXT).")
    String securityProtocol;

    @Option(names = "--sasl-mechanism", defaultValue = "${env:KAFKA_SASL_MECHANISM}",
            description = "SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN (env KAFKA_SASL_MECHANISM; default SCRAM-SHA-512).")
    String saslMechanism;

    @Option(names = "--sasl-username", defaultValue = "${env:KAFKA_SASL_USERNAME}",
            description = "SASL user (env KAFKA_SASL_USERNAME).")
    String saslUsername;

    @Option(names = "--sasl-password", defaultValue = "${env:KAFKA_SASL_PASSWORD}",
            description = "SASL password (env KAFKA_SASL_PASSWORD; prefer it, or --sasl-password-file: "
                    + "a command line is visible to other users of the machine).")
    String saslPassword;

    @Option(names = "--sasl-password-file", paramLabel = "FILE", defaultValue = "${env:KAFKA_SASL_PASSWORD_FILE}",
            description = "Read the SASL password from this file's first line (env KAFKA_SASL_PASSWORD_FILE).")
    Path saslPasswordFile;

    @Option(names = "--ssl-truststore-location", paramLabel = "FILE",
            defaultValue = "${env:KAFKA_SSL_TRUSTSTORE_LOCATION}",
            description = "Trust store with the CA of the brokers' certificates (env KAFKA_SSL_TRUSTSTORE_LOCATION; "
                    + "default: the JVM's trusted CAs).")
    String sslTruststoreLocation;

    @Option(names = "--ssl-truststore-password", defaultValue = "${env:KAFKA_SSL_TRUSTSTORE_PASSWORD}",
            description = "Its password (env KAFKA_SSL_TRUSTSTORE_PASSWORD).")
    String sslTruststorePassword;

    @Option(names = "--ssl-truststore-type", defaultValue = "${env:KAFKA_SSL_TRUSTSTORE_TYPE}",
            description = "PKCS12, JKS or PEM (env KAFKA_SSL_TRUSTSTORE_TYPE; default: Kafka's, JKS, which reads PKCS12 too).")
    String sslTruststoreType;

    /**
     * Checks that a Kafka cluster answers at {@link #bootstrapServers} with these settings, within about 6 s. Every
     * command with these options gets this before it runs (see {@code KafkaLab}).
     *
     * @throws ClusterCheck.Unreachable when none answers: one line naming each address and what to do next
     * @throws IllegalArgumentException when the settings do not fit together
     * @throws org.apache.kafka.common.KafkaException authentication and TLS errors, as the client reports them
     */
    void checkCluster() {
        ClusterCheck.check(bootstrapServers, securityConfig());
    }

    /**
     * @param group    the consumer group
     * @param earliest whether a group without commits starts at the beginning of the topic
     * @return a new consumer config map
     */
    Map<String, Object> consumerConfig(String group, boolean earliest) {
        Map<String, Object> config = config();
        config.put("group.id", group);
        config.put("auto.offset.reset", earliest ? "earliest" : "latest");
        return config;
    }

    /**
     * @return a new client config map: the bootstrap servers and the security settings
     * @throws IllegalArgumentException when the settings do not fit together or a file cannot be read; the
     *                                  message names the option and never a password
     */
    Map<String, Object> config() {
        Map<String, Object> config = securityConfig();
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }

    /**
     * @return the client settings other than {@code bootstrap.servers}: the command-config file, then the options
     * @throws IllegalArgumentException as {@link #config()}
     */
    Map<String, Object> securityConfig() {
        Map<String, Object> config = new HashMap<>();
        if (commandConfig != null) {
            Properties file = new Properties();
            try (InputStream in = Files.newInputStream(commandConfig)) {
                file.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("--command-config: cannot read " + commandConfig + ": " + e);
            }
            file.stringPropertyNames().forEach(k -> config.put(k, file.getProperty(k)));
            config.remove("bootstrap.servers");
        }
        putIfSet(config, "security.protocol", securityProtocol == null ? null
                : securityProtocol.trim().toUpperCase(Locale.ROOT));
        putIfSet(config, "ssl.truststore.location", sslTruststoreLocation);
        putIfSet(config, "ssl.truststore.password", sslTruststorePassword);
        putIfSet(config, "ssl.truststore.type", sslTruststoreType);
        String protocol = String.valueOf(config.getOrDefault("security.protocol", "PLAINTEXT"));
        if (!protocol.matches("PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL")) {
            throw new IllegalArgumentException("--security-protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, "
                    + "but was " + protocol);
        }
        if (saslUsername != null && !saslUsername.isBlank()) {
            String mechanism = saslMechanism != null ? saslMechanism.trim().toUpperCase(Locale.ROOT)
                    : String.valueOf(config.getOrDefault("sasl.mechanism", "SCRAM-SHA-512"));
            config.put("sasl.mechanism", mechanism);
            config.put("sasl.jaas.config", jaasConfig(mechanism, saslUsername, password()));
        } else if (saslMechanism != null) {
            config.put("sasl.mechanism", saslMechanism.trim().toUpperCase(Locale.ROOT));
        }
        if (protocol.startsWith("SASL_") && !config.containsKey("sasl.jaas.config")) {
            throw new IllegalArgumentException("--security-protocol " + protocol + " needs --sasl-username (env "
                    + "KAFKA_SASL_USERNAME) and a password, or sasl.jaas.config in --command-config");
        }
        return config;
    }

    private String password() {
        if (saslPasswordFile != null) {
            return readSecret(saslPasswordFile, "--sasl-password-file");
        }
        if (saslPassword == null) {
            throw new IllegalArgumentException("--sasl-username " + saslUsername + " needs a password: env "
                    + "KAFKA_SASL_PASSWORD, --sasl-password-file or --sasl-password");
        }
        return saslPassword;
    }

    /**
     * @param file   a file whose first line is a secret (a password, a token)
     * @param option the option that named it, for the error
     * @return the first line, without surrounding white space
     * @throws IllegalArgumentException when it cannot be read; the message names the file, never its content
     */
    static String readSecret(Path file, String option) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    /** The client login module for a mechanism, with the credentials quoted and escaped for Kafka's JAAS parser. */
    /**
     * @return who the cluster sees, for error messages: {@code user bob} from --sasl-username or the
     *     {@code username="..."} of a {@code sasl.jaas.config} in --command-config; empty when unknown (no SASL)
     */
    java.util.Optional<String> principal() {
        if (saslUsername != null && !saslUsername.isBlank()) {
            return java.util.Optional.of("user " + saslUsername);
        }
        try {
            Object jaas = securityConfig().get("sasl.jaas.config");
            java.util.regex.Matcher m = jaas == null ? null
                    : java.util.regex.Pattern.compile("username=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(jaas.toString());
            return m != null && m.find() ? java.util.Optional.of("user " + m.group(1).replaceAll("\\\\(.)", "$1"))
                    : java.util.Optional.empty();
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    static String jaasConfig(String mechanism, String user, String password) {
        String module = switch (mechanism) {
            case "SCRAM-SHA-256", "SCRAM-SHA-512" -> "org.apache.kafka.common.security.scram.ScramLoginModule";
            case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
            default -> throw new IllegalArgumentException("--sasl-mechanism must be SCRAM-SHA-512, SCRAM-SHA-256 or "
                    + "PLAIN with --sasl-username, but was " + mechanism);
        };
        return module + " required username=\"" + escape(user) + "\" password=\"" + escape(password) + "\";";
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void putIfSet(Map<String, Object> config, String key, String value) {
        if (value != null && !value.isBlank()) {
            config.put(key, value.trim());
        }
    }
}
