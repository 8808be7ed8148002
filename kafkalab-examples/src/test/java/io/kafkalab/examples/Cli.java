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
}
