package io.kafkalab.examples;

import io.kafkalab.consumer.ConsumerRunner;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a consumer app's runner on the calling thread until it stops by itself or on Ctrl-C/SIGTERM, and
 * prints the one-line total either way (a shutdown hook waits for that line before the JVM exits). Meanwhile a
 * {@link ClusterWatch} says on stderr when the cluster stops answering and when it is back.
 */
final class ConsumerApp {

    private ConsumerApp() {
    }

    /** What {@link #run} needs of a runner: a consumer runner or a share consumer runner. */
    record Loop(String name, Runnable loop, java.util.function.Predicate<Duration> closer) {
        void run() {
            loop.run();
        }

        boolean close(Duration timeout) {
            return closer.test(timeout);
        }
    }

    static int run(ConsumerRunner<?, ?> runner, StopConditions stop, KafkaOptions kafka, java.io.PrintWriter err,
                   Runnable printTotal) {
        return run(new Loop(runner.name(), runner::run, runner::close), stop, kafka, err, printTotal);
    }

    static int run(Loop runner, StopConditions stop, KafkaOptions kafka, java.io.PrintWriter err,
                   Runnable printTotal) {
        CountDownLatch printed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            runner.close(Duration.ofSeconds(30));
            try {
                printed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, runner.name() + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = 0;
        ClusterWatch watch = ClusterWatch.start(runner.name(), kafka.bootstrapServers, kafka.securityConfig(), err);
        try {
            runner.run();
        } catch (RuntimeException e) {
            String line = KafkaLab.oneLineError(e);
            err.println("consumer stopped: "
                    + (line != null ? line + KafkaLab.deniedPrincipal(e, kafka) : e.getMessage()));
            err.flush();
            code = 1;
        } finally {
            watch.close();
            stop.close();
            printTotal.run();
            printed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running and waits for the total we just printed
            }
        }
        return code;
    }
}
