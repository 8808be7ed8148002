package io.kafkalab.testkit.junit;

import io.kafkalab.testkit.ClusterSecurity;
import io.kafkalab.testkit.ContainerKafkaCluster;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.ForkedKafkaCluster;
import io.kafkalab.testkit.KafkaCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
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
public final class KafkaClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver,
        ExecutionCondition {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaClusterExtension.class);

    /**
     * Disables each test of a container-backed class, with the reason, when no Docker engine is usable (unless
     * {@code kafkalab.require.docker} is true: then the class fails). Test reports count them as skipped.
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty() || !dockerMissing(context)) {
            return ConditionEvaluationResult.enabled("a cluster can start");
        }
        return ConditionEvaluationResult.disabled(noDockerReason(context));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!dockerMissing(context)) {
            cluster(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        KafkaTest spec = annotation(context);
        if (spec.shared() && !dockerMissing(context)) {
            KafkaCluster cluster = cluster(context);
            if (cluster instanceof ForkedKafkaCluster forked) {
                restoreNodes(forked, context);
                return;
            }
            for (int id : cluster.brokerIds()) {
                if (!cluster.runningBrokerIds().contains(id)) {
                    LOG.info("{} left broker {} stopped; starting it for the next class sharing the cluster",
                            context.getRequiredTestClass().getSimpleName(), id);
                    cluster.startBroker(id);
                }
            }
        }
    }

    /**
     * A forked cluster's class may have left any node stopped or paused: controllers and ZooKeeper come back first,
     * since brokers need them to register.
     */
    private static void restoreNodes(ForkedKafkaCluster cluster, ExtensionContext context) {
        List<Integer> order = new ArrayList<>(cluster.nodeIds());
        order.removeAll(cluster.brokerIds());
        order.addAll(cluster.brokerIds());
        for (int id : order) {
            ForkedKafkaCluster.NodeState state = cluster.state(id);
            if (state != ForkedKafkaCluster.NodeState.RUNNING) {
                LOG.info("{} left node {} {}; {} it for the next class sharing the cluster",
                        context.getRequiredTestClass().getSimpleName(), id, state,
                        state == ForkedKafkaCluster.NodeState.PAUSED ? "resuming" : "starting");
                if (state == ForkedKafkaCluster.NodeState.PAUSED) {
                    cluster.resumeNode(id);
                } else {
                    cluster.startNode(id);
                }
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == KafkaCluster.class || type == EmbeddedKafkaCluster.class || type == ContainerKafkaCluster.class
                || type == ForkedKafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        KafkaCluster cluster = cluster(extensionContext);
        Class<?> type = parameterContext.getParameter().getType();
        if (!type.isInstance(cluster)) {
            throw new ParameterResolutionException("@KafkaTest on " + extensionContext.getRequiredTestClass().getName()
                    + " runs a " + cluster.getClass().getSimpleName() + ", which cannot be injected as "
                    + type.getSimpleName() + "; declare the parameter as KafkaCluster");
        }
        return cluster;
    }

    private static Boolean dockerAvailable;

    /** Testcontainers' check is slow when it fails: ask once per run. */
    private static synchronized boolean dockerAvailable() {
        if (dockerAvailable == null) {
            dockerAvailable = ContainerKafkaCluster.dockerAvailable();
        }
        return dockerAvailable;
    }

    /** Whether this is a container-backed class that cannot run and should be skipped (not required). */
    private static boolean dockerMissing(ExtensionContext context) {
        KafkaTest spec = annotation(context);
        return backend(spec) == KafkaTest.Backend.CONTAINER && !Boolean.getBoolean("kafkalab.require.docker")
                && !dockerAvailable();
    }

    private static String noDockerReason(ExtensionContext context) {
        return "no usable Docker engine (none answers, or Testcontainers could not use it: see the log; without an"
                + " image registry set TESTCONTAINERS_RYUK_DISABLED=true, TESTCONTAINERS_CHECKS_DISABLE=true and"
                + " TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1), so the container cluster of "
                + context.getRequiredTestClass().getSimpleName() + " cannot start: skipped";
    }

    /** Which backend a {@link KafkaTest} runs on, after the system property and the environment have had their say. */
    static KafkaTest.Backend backend(KafkaTest spec) {
        if (spec.backend() != KafkaTest.Backend.DEFAULT) {
            return spec.backend();
        }
        if (!spec.version().isEmpty() || spec.zookeeper()) {
            return KafkaTest.Backend.PROCESS;
        }
        String configured = System.getProperty("kafkalab.cluster.backend", System.getenv("KAFKALAB_CLUSTER_BACKEND"));
        if (configured == null || configured.isBlank()) {
            return KafkaTest.Backend.EMBEDDED;
        }
        try {
            KafkaTest.Backend b = KafkaTest.Backend.valueOf(configured.trim().toUpperCase(java.util.Locale.ROOT));
            if (b != KafkaTest.Backend.DEFAULT) {
                return b;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ExtensionConfigurationException("kafkalab.cluster.backend / KAFKALAB_CLUSTER_BACKEND must be"
                + " embedded, process or container, but was '" + configured + "'");
    }

    private static KafkaCluster cluster(ExtensionContext context) {
        KafkaTest spec = annotation(context);
        KafkaTest.Backend backend = backend(spec);
        if (backend == KafkaTest.Backend.CONTAINER && !dockerAvailable()) {
            if (Boolean.getBoolean("kafkalab.require.docker")) {
                throw new ExtensionConfigurationException(noDockerReason(context) + " (kafkalab.require.docker=true)");
            }
            throw new org.opentest4j.TestAbortedException(noDockerReason(context));
        }
        String key = key(spec, context) + ",backend=" + backend;
        ExtensionContext owner = spec.shared() ? context.getRoot() : classContext(context);
        ClusterResource resource = owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(key, k -> new ClusterResource(start(spec, backend, context)), ClusterResource.class);
        return resource.cluster;
    }

    private static KafkaCluster start(KafkaTest spec, KafkaTest.Backend backend, ExtensionContext context) {
        if (backend == KafkaTest.Backend.CONTAINER) {
            ContainerKafkaCluster.Builder builder = ContainerKafkaCluster.builder().brokers(Math.min(spec.brokers(), 9));
            properties(spec, context).forEach(builder::brokerProperty);
            return builder.start();
        }
        if (backend == KafkaTest.Backend.PROCESS) {
            ForkedKafkaCluster.Builder builder = ForkedKafkaCluster.builder().brokers(spec.brokers());
            if (!spec.version().isEmpty()) {
                builder.version(spec.version());
            }
            if (spec.zookeeper()) {
                builder.zookeeper();
            }
            String logs = System.getProperty("kafkalab.forked.logs");
            if (logs != null && !logs.isBlank()) {
                builder.logDirectory(java.nio.file.Path.of(logs, context.getRequiredTestClass().getSimpleName()));
            }
            properties(spec, context).forEach(builder::brokerProperty);
            return builder.start();
        }
        EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder()
                .brokers(spec.brokers())
                .topology(spec.topology());
        properties(spec, context).forEach(builder::brokerProperty);
        if (spec.security() != KafkaTest.Plaintext.class) {
            builder.security(security(spec, context));
        }
        return builder.start();
    }

    private static ClusterSecurity security(KafkaTest spec, ExtensionContext context) {
        String where = "@KafkaTest(security = " + spec.security().getSimpleName() + ".class) on "
                + context.getRequiredTestClass().getName();
        ClusterSecurity security;
        try {
            java.lang.reflect.Constructor<? extends Supplier<ClusterSecurity>> constructor =
                    spec.security().getDeclaredConstructor();
            constructor.setAccessible(true);
            security = constructor.newInstance().get();
        } catch (NoSuchMethodException e) {
            throw new ExtensionConfigurationException(where + ": the class needs a constructor without arguments"
                    + (spec.security().isMemberClass() && !java.lang.reflect.Modifier.isStatic(
                            spec.security().getModifiers()) ? " (make the nested class static)" : ""));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new ExtensionConfigurationException(where + ": creating the security failed: " + e.getCause(),
                    e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExtensionConfigurationException(where + ": creating the security failed: " + e, e);
        }
        if (security == null) {
            throw new ExtensionConfigurationException(where + ": get() returned null");
        }
        return security;
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
        boolean forkedOnly = !spec.version().isEmpty() || spec.zookeeper();
        if (forkedOnly && spec.backend() != KafkaTest.Backend.DEFAULT && spec.backend() != KafkaTest.Backend.PROCESS) {
            throw new ExtensionConfigurationException("@KafkaTest on " + testClass.getName() + ": version and"
                    + " zookeeper need backend = PROCESS (brokers in their own JVMs), but backend was " + spec.backend());
        }
        if (spec.topology() != EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER
                && (forkedOnly || spec.backend() == KafkaTest.Backend.PROCESS)) {
            throw new ExtensionConfigurationException("@KafkaTest on " + testClass.getName() + ": a PROCESS cluster"
                    + " has dedicated controllers (or ZooKeeper), but topology was " + spec.topology());
        }
        if (spec.security() != KafkaTest.Plaintext.class && backend(spec) != KafkaTest.Backend.EMBEDDED) {
            throw new ExtensionConfigurationException("@KafkaTest on " + testClass.getName() + ": security needs the"
                    + " embedded backend (the process and container clusters have PLAINTEXT listeners only), but the"
                    + " backend is " + backend(spec));
        }
        if (!spec.version().isEmpty() && !spec.version().matches("\\d+\\.\\d+\\.\\d+")) {
            throw new ExtensionConfigurationException("@KafkaTest on " + testClass.getName() + ": version must look"
                    + " like 3.9.1, but was '" + spec.version() + "'");
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
        return "cluster:brokers=" + spec.brokers() + ",topology=" + spec.topology() + ",version=" + spec.version()
                + ",zookeeper=" + spec.zookeeper() + ",properties=" + properties(spec, context)
                + ",security=" + spec.security().getName();
    }

    /** Closes the cluster when JUnit discards the store that holds it. */
    @SuppressWarnings("deprecation")
    private static final class ClusterResource implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final KafkaCluster cluster;

        ClusterResource(KafkaCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public void close() {
            cluster.close();
        }
    }
}
