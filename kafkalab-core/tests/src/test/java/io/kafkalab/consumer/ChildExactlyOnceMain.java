package io.kafkalab.consumer;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A consume-process-produce runner in its own JVM, for {@code ExactlyOnceIT}: copies each input {@code m<i>} to two
 * outputs {@code m<i>-a} and {@code m<i>-b}. Arguments: bootstrap servers, input topic, output topic, group,
 * transactional id, mode ({@code tx}: the exactly-once runner; {@code plain}: the control, the same copy in a batch
 * handler on a plain runner with an at-least-once producer, each batch waiting for its outputs' acknowledgements so
 * that a commit never runs ahead of them), and the number of the handler call that blocks (0: none). The blocking
 * call sends its first output, waits until the broker has every output sent since the last commit, prints
 * {@code blocked} and reads stdin (which the test never writes): so when it is SIGKILLed, outputs of records whose
 * offsets are not committed are on the broker. Prints {@code committed <offsets>} on each commit.
 */
public final class ChildExactlyOnceMain {

    private ChildExactlyOnceMain() {
    }

    public static void main(String[] args) throws Exception {
        String servers = args[0];
        String in = args[1];
        String out = args[2];
        boolean tx = args[5].equals("tx");
        int blockAt = Integer.parseInt(args[6]);
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", servers);
        config.put("group.id", args[3]);
        config.put("auto.offset.reset", "earliest");
        config.put("max.poll.records", 200);
        // a static member: the restarted child takes the killed one's place at once, without waiting for its
        // session to expire (and the killed one, were it still alive, would be fenced)
        config.put("group.instance.id", args[3] + "-member");
        config.put("session.timeout.ms", 6000);
        config.put("heartbeat.interval.ms", 1000);
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<Future<RecordMetadata>> sinceCommit = new ArrayList<>();
        int[] calls = {0};
        ConsumerRunnerListener printCommits = new ConsumerRunnerListener() {
            @Override
            public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                sinceCommit.clear();
                System.out.println("committed " + offsets);
                System.out.flush();
            }
        };
        ConsumerRunner.Builder<String, String> builder = ConsumerRunner.builder(config, new StringDeserializer(),
                new StringDeserializer()).topics(in).listener(printCommits).errorPolicy(ErrorPolicy.stop());
        ConsumerRunner<String, String> runner;
        if (tx) {
            ExactlyOnce<String, String> eos = ExactlyOnce.of(Map.of("bootstrap.servers", servers,
                    "transactional.id", args[4]), new StringSerializer(), new StringSerializer());
            runner = builder.processing(eos, (r, output) -> copy(r, out, output::send, sinceCommit, ++calls[0] == blockAt,
                    stdin));
        } else {
            Producer<String, String> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                    Map.of("bootstrap.servers", servers), new StringSerializer(), new StringSerializer());
            // at least once: a batch's offsets are committed only once the broker has its outputs (a record handler
            // returning before its sends are acknowledged would let a kill lose outputs of committed inputs)
            runner = builder.batches(200, batch -> {
                for (ConsumerRecord<String, String> r : batch) {
                    copy(r, out, producer::send, sinceCommit, ++calls[0] == blockAt, stdin);
                }
                awaitAll(sinceCommit);
            });
        }
        runner.closeOnShutdown();
        System.out.println("started");
        System.out.flush();
        runner.run();
    }

    private static void copy(ConsumerRecord<String, String> r, String out,
                             Function<ProducerRecord<String, String>, Future<RecordMetadata>> send,
                             List<Future<RecordMetadata>> sinceCommit, boolean block, BufferedReader stdin)
            throws Exception {
        sinceCommit.add(send.apply(new ProducerRecord<>(out, r.key(), r.value() + "-a")));
        if (block) {
            awaitAll(sinceCommit);
            System.out.println("blocked");
            System.out.flush();
            stdin.readLine();
        }
        sinceCommit.add(send.apply(new ProducerRecord<>(out, r.key(), r.value() + "-b")));
    }

    /** Waits until the broker has acknowledged every send since the last commit (the poll thread's list). */
    private static void awaitAll(List<Future<RecordMetadata>> sends) throws Exception {
        for (Future<RecordMetadata> f : sends) {
            f.get(30, TimeUnit.SECONDS);
        }
    }
}
