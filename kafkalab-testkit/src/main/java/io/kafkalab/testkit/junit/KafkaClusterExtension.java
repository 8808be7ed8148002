package io.kafkalab.testkit.junit;

import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.KafkaCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JUnit 5 extension behind {@link KafkaTest}: starts (or reuses) the cluster before the class,
 * resolves {@link KafkaCluster} and {@link EmbeddedKafkaCluster} parameters, and closes the cluster through
 * JUnit's store: after the class, or at the end of the run for a shared one.
 *
 * <p>Usually registered by {@link KafkaTest}; registering it with {@code @ExtendWith} alone is a
 * configuration error, because the cluster's shape would be unknown.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        KafkaTest spec = annotation(context);
        if (spec.shared()) {
            EmbeddedKafkaCluster cluster = cluster(context);
            for (int id : cluster.brokerIds()) {
                if (!cluster.runningBrokerIds().contains(id)) {
                    LOG.info("{} left broker {} stopped; starting it for the next class sharing the cluster",
                            context.getRequiredTestClass().getSimpleName(), id);
                    cluster.startBroker(id);
                }
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == KafkaCluster.class || type == EmbeddedKafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return cluster(extensionContext);
    }

    private static EmbeddedKafkaCluster cluster(ExtensionContext context) {
        KafkaTest spec = annotation(context);
        String key = key(spec, context);
        ExtensionContext owner = spec.shared() ? context.getRoot() : classContext(context);
        ClusterResource resource = owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(key, k -> new ClusterResource(start(spec, context)), ClusterResource.class);
        return resource.cluster;
    }

    private static EmbeddedKafkaCluster start(KafkaTest spec, ExtensionContext context) {
        EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder()
                .brokers(spec.brokers())
                .topology(spec.topology());
        properties(spec, context).forEach(builder::brokerProperty);
        return builder.start();
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    private static KafkaTest annotation(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        Optional<KafkaTest> found = Optional.empty();
        for (Class<?> c = testClass; c != null && found.isEmpty(); c = c.getEnclosingClass()) {
            found = AnnotationSupport.findAnnotation(c, KafkaTest.class);
        }
        KafkaTest spec = found.orElseThrow(() -> new ExtensionConfigurationException(
                KafkaClusterExtension.class.getSimpleName() + " needs @KafkaTest on " + testClass.getName()
                        + " (or an enclosing class) to know the cluster's shape; annotate the class with"
                        + " @KafkaTest instead of @ExtendWith"));
        if (spec.brokers() < 1 || spec.brokers() > 32) {
            throw new ExtensionConfigurationException("@KafkaTest(brokers = " + spec.brokers() + ") on "
                    + testClass.getName() + ": brokers must be between 1 and 32");
        }
        return spec;
    }

    private static Map<String, String> properties(KafkaTest spec, ExtensionContext context) {
        Map<String, String> result = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        for (String entry : spec.brokerProperties()) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                bad.add("'" + entry + "'");
            } else {
                result.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
            }
        }
        if (!bad.isEmpty()) {
            throw new ExtensionConfigurationException("@KafkaTest(brokerProperties) on "
                    + context.getRequiredTestClass().getName() + ": " + String.join(", ", bad)
                    + " must have the form key=value");
        }
        return result;
    }

    private static String key(KafkaTest spec, ExtensionContext context) {
        return "cluster:brokers=" + spec.brokers() + ",topology=" + spec.topology()
                + ",properties=" + properties(spec, context);
    }

    /** Closes the cluster when JUnit discards the store that holds it. */
    @SuppressWarnings("deprecation")
    private static final class ClusterResource implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final EmbeddedKafkaCluster cluster;

        ClusterResource(EmbeddedKafkaCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public void close() {
            cluster.close();
        }
    }
}
