package io.kafkalab.micrometer.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.apache.kafka.clients.consumer.Consumer;

/** A consumer that closes something else (a metrics binding) after its own {@code close}, whichever overload. */
public final class ClosingConsumer {

    private ClosingConsumer() {
    }

    /**
     * @param consumer the consumer
     * @param also     closed after the consumer's first {@code close}, even when that throws
     * @return a consumer that delegates every call to {@code consumer}
     */
    @SuppressWarnings("unchecked")
    public static Consumer<byte[], byte[]> wrap(Consumer<byte[], byte[]> consumer, AutoCloseable also) {
        return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
                new Class<?>[] {Consumer.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "metered " + consumer;
                        };
                    }
                    try {
                        return method.invoke(consumer, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (method.getName().equals("close")) {
                            also.close();
                        }
                    }
                });
    }
}
