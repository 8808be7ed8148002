package io.kafkalab.examples;

import io.kafkalab.NotAuthorizedException;
import io.kafkalab.testkit.KafkaCluster;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kafkalab topics}: what the lab did with {@code kafka-topics.sh}. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create, describe, list and delete topics, as kafka-topics.sh does.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Describe.class, TopicsCommand.ListTopics.class,
            TopicsCommand.Delete.class})
final class TopicsCommand {

    /** Shared plumbing of the subcommands. */
    abstract static class Sub implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Spec
        CommandSpec spec;

        abstract void run(KafkaCluster cluster, PrintWriter out);

        /** @return the ACL operation on the topic this command needs, named when the authorizer refuses it */
        abstract AclOperation operation();

        /** @return the topic the command is about */
        String topic() {
            return kafka.topic;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (KafkaCluster cluster = KafkaCluster.connect(kafka.bootstrapServers, kafka.securityConfig())) {
                run(cluster, out);
            } catch (RuntimeException e) {
                throw denied(e);
            }
            out.flush();
            return 0;
        }

        /** A refusal by the authorizer, anywhere in the admin client's exception chain, named; else {@code e}. */
        private RuntimeException denied(RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof AuthorizationException) {
                    // Kafka answers a create or delete refused on the cluster and on the topic alike
                    return new NotAuthorizedException(operation(), ResourceType.TOPIC, topic(), null, t);
                }
            }
            return e;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create extends Sub {
        @Option(names = "--partitions", defaultValue = "3", description = "Partitions (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--replication-factor", defaultValue = "2",
                description = "Replicas per partition (default: ${DEFAULT-VALUE}).")
        int replicationFactor;

        @Option(names = "--config", description = "A topic config key=value, for example retention.ms=60000; repeatable.")
        Map<String, String> configs = new HashMap<>();

        @Override
        void run(KafkaCluster cluster, PrintWriter out) {
            cluster.createTopic(kafka.topic, partitions, replicationFactor, configs);
            out.println("Created topic " + kafka.topic + ".");
            out.println(cluster.describeTopic(kafka.topic));
        }

        @Override
        AclOperation operation() {
            return AclOperation.CREATE;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Partitions with leader, replicas and in-sync replicas.")
    static final class Describe extends Sub {
        @Override
        void run(KafkaCluster cluster, PrintWriter out) {
            out.println(cluster.describeTopic(kafka.topic));
        }

        @Override
        AclOperation operation() {
            return AclOperation.DESCRIBE;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Topic names, internal ones left out.")
    static final class ListTopics extends Sub {
        @Override
        void run(KafkaCluster cluster, PrintWriter out) {
            List<String> names = cluster.listTopics().stream().sorted().toList();
            names.forEach(out::println);
        }

        @Override
        AclOperation operation() {
            return AclOperation.DESCRIBE; // Kafka leaves out what a user may not describe instead of refusing
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic.")
    static final class Delete extends Sub {
        @Parameters(arity = "0..1", description = "The topic (default: --topic).")
        String name;

        @Override
        String topic() {
            return name != null ? name : kafka.topic;
        }

        @Override
        void run(KafkaCluster cluster, PrintWriter out) {
            String topic = topic();
            cluster.deleteTopic(topic);
            out.println("Deleted topic " + topic + ".");
        }

        @Override
        AclOperation operation() {
            return AclOperation.DELETE;
        }
    }
}
