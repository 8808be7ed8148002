package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JvmProcessTest {

    /** Prints one line on each stream and exits 3. */
    public static final class FailingMain {
        public static void main(String[] args) {
            System.out.println("starting");
            System.err.println("no Kafka broker answers at nowhere:9092");
            System.exit(3);
        }
    }

    @Test
    void aProcessThatEndsWithoutTheLineFailsTheWaitAtOnceWithItsExitCodeAndStandardError() {
        try (JvmProcess p = JvmProcess.start(FailingMain.class)) {
            long begin = System.nanoTime();
            assertThatThrownBy(() -> p.awaitLine(l -> l.startsWith("Serving"), Duration.ofSeconds(60)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("(exit code 3)")
                    .hasMessageContaining("printed: [starting]")
                    .hasMessageContaining("standard error: [no Kafka broker answers at nowhere:9092]");
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(30));
            assertThat(p.awaitLine(l -> l.equals("starting"), Duration.ofSeconds(1))).isEqualTo("starting");
        }
    }
}
