package io.kafkalab.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The first class of every child JVM of a forked cluster: it runs another main class (Kafka's {@code kafka.Kafka},
 * {@code kafka.tools.StorageTool}) in the same JVM, and halts the JVM as soon as its standard input ends. The parent
 * holds the write end of that pipe and never writes: when the parent process dies in any way (SIGKILL included) the
 * kernel closes the pipe, the read here returns end-of-file, and the child halts at once, so no broker outlives the
 * JVM that started it. A read that blocks costs nothing, unlike polling the parent's pid, and the pipe cannot be
 * confused with another process the way a reused pid can.
 *
 * <p>It depends on the JDK only: the parent copies this one class file next to the broker jars of whatever Kafka
 * version the child runs. Not part of the API.
 */
public final class ParentWatchdogMain {

    /** The exit code of a child whose parent is gone. */
    public static final int PARENT_GONE_EXIT = 86;

    private ParentWatchdogMain() {
    }

    /**
     * @param args the main class to run, then its arguments
     * @throws Throwable whatever that main throws
     */
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ParentWatchdogMain <main class> [arguments]");
        }
        Thread watchdog = new Thread(() -> awaitEndOfInput(System.in), "kafkalab-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void awaitEndOfInput(InputStream in) {
        byte[] ignored = new byte[256];
        try {
            while (in.read(ignored) >= 0) {
                // the parent writes nothing; anything it might write is ignored
            }
        } catch (IOException e) {
            // a broken pipe means the same: the parent is gone
        }
        System.err.println("kafkalab: the parent process is gone (standard input closed); halting");
        Runtime.getRuntime().halt(PARENT_GONE_EXIT);
    }
}
