package io.kafkalab.examples;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs a kafkalab command in this JVM, as a user would on a terminal, and keeps what it printed. */
final class Cli {

    record Result(int code, String out, String err) {
    }

    private Cli() {
    }

    static Result withInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KafkaLab.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return withInput("", args);
    }

    /** A command running on a thread of its own; what it printed so far can be read at any time. */
    record Running(StringWriter out, StringWriter err, java.util.concurrent.CompletableFuture<Integer> code) {
        String outSoFar() {
            return out.toString();
        }

        String errSoFar() {
            return err.toString();
        }
    }

    /** Starts a command on a daemon thread, with empty standard input. */
    static Running start(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.util.concurrent.CompletableFuture<Integer> code = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                code.complete(KafkaLab.run(new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true),
                        new PrintWriter(err, true), args));
            } catch (Throwable e) {
                code.completeExceptionally(e);
            }
        }, "cli-" + args[0]);
        t.setDaemon(true);
        t.start();
        return new Running(out, err, code);
    }
}
