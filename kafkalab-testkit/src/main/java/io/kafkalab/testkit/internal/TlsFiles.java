package io.kafkalab.testkit.internal;

import io.kafkalab.testkit.KafkaClusterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A broker key store and a client trust store for TLS listeners on 127.0.0.1, made with the JDK's own
 * {@code keytool} (no extra dependency): a self-signed RSA certificate for {@code CN=localhost} with the
 * subject alternative names {@code localhost} and {@code 127.0.0.1}, valid for two days. Both stores are
 * PKCS12 with one random password. Not part of the API.
 *
 * @param keyStore   the brokers' key store (private key and certificate)
 * @param trustStore the clients' trust store (the certificate only)
 * @param password   the password of both
 */
public record TlsFiles(Path keyStore, Path trustStore, String password) {

    /** The store type of both files. */
    public static final String TYPE = "PKCS12";

    /**
     * Generates fresh stores into {@code dir}, replacing earlier ones.
     *
     * @param dir directory, created when missing
     * @return the stores
     * @throws KafkaClusterException when keytool fails or takes over 60 s
     */
    public static TlsFiles generate(Path dir) {
        try {
            Files.createDirectories(dir);
            TlsFiles files = new TlsFiles(dir.resolve("broker.keystore.p12"), dir.resolve("client.truststore.p12"),
                    UUID.randomUUID().toString());
            Path cert = dir.resolve("broker.pem");
            for (Path p : List.of(files.keyStore, files.trustStore, cert)) {
                Files.deleteIfExists(p);
            }
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-keystore", files.keyStore.toString(), "-storetype", TYPE,
                    "-storepass", files.password, "-keypass", files.password);
            keytool("-exportcert", "-alias", "broker", "-rfc", "-file", cert.toString(),
                    "-keystore", files.keyStore.toString(), "-storetype", TYPE, "-storepass", files.password);
            keytool("-importcert", "-noprompt", "-alias", "kafkalab-embedded-ca", "-file", cert.toString(),
                    "-keystore", files.trustStore.toString(), "-storetype", TYPE, "-storepass", files.password);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TLS stores into " + dir, e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new KafkaClusterException("keytool " + args[0] + " did not finish within 60 s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw new KafkaClusterException("keytool " + args[0] + " failed with code " + process.exitValue()
                        + ": " + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while running keytool " + args[0], e);
        }
    }
}
