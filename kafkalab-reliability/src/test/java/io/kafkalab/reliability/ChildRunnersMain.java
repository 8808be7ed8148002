package io.kafkalab.reliability;

import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runners in a JVM of their own, for a test that kills them all with SIGKILL. Arguments: bootstrap servers,
 * then one {@code <PolicyCase>,<topic>,<group>,<instanceId>,<blockAt>} per runner. Each prints
 * {@code r <case> <partition> <offset> <value> <epochMillis>} for every record its handler processes, and
 * {@code f <case>} when the records so far are finished (the handler call returned, or the handler acknowledged):
 * the only ones the runner may commit. After printing its {@code blockAt}-th record it prints
 * {@code blocked <case> <epochMillis>} and blocks in the handler (mid-batch for batch handlers) until the process
 * dies.
 */
public final class ChildRunnersMain {

    private ChildRunnersMain() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        List<ConsumerRunner<String, String>> runners = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String[] a = args[i].split(",");
            PolicyCase c = PolicyCase.valueOf(a[0]);
            int blockAt = Integer.parseInt(a[4]);
            int[] count = {0};
            runners.add(c.runner(args[0], a[1], a[2], a[3], new PolicyCase.Sink() {
                @Override
                public void accept(ConsumerRecord<String, String> r) throws Exception {
                    if (c.pacingNanos() > 0) {
                        LockSupport.parkNanos(c.pacingNanos()); // pacing the work, not waiting for anything
                    }
                    print("r " + c + " " + r.partition() + " " + r.offset() + " " + r.value() + " "
                            + System.currentTimeMillis());
                    if (++count[0] == blockAt) {
                        print("blocked " + c + " " + System.currentTimeMillis());
                        never.await();
                    }
                }

                @Override
                public void finished() {
                    print("f " + c);
                }
            }, new ConsumerRunnerListener() {
            }));
        }
        runners.forEach(ConsumerRunner::start);
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
