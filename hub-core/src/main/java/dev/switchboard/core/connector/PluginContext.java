package dev.switchboard.core.connector;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.ExperimentTracker;
import dev.switchboard.spi.ModelRegistry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Makes a plugin's class loader the thread context class loader while the hub is inside the plugin's code, and
 * restores the caller's afterwards. Libraries a plugin ships look things up through the context class loader
 * ({@code ServiceLoader.load(X.class)}, JAXB, JNDI, many HTTP and JSON libraries' module discovery); without this
 * they would search the hub's class path, and find nothing, or the hub's copy of their own classes.
 *
 * <p>A plugin's {@link Connector} is wrapped when the registry loads it; what the wrapper returns that is itself a
 * port of the SPI ({@link Connection}, and each capability port in the {@link Optional} a connection hands out) is
 * wrapped in turn, and so is the stream {@link ArtifactStore#open} returns, whose reads run the plugin's code later.
 * Built-in connectors share the hub's class loader and are never wrapped.
 */
final class PluginContext implements InvocationHandler {

    /** The SPI interfaces whose calls run plugin code; a returned instance of one is wrapped too. */
    private static final Set<Class<?>> PORTS = Set.of(Connector.class, Connection.class, ModelRegistry.class,
            ArtifactStore.class, EventSource.class, ActionTarget.class, ExperimentTracker.class);

    private final Object target;
    private final ClassLoader loader;

    private PluginContext(Object target, ClassLoader loader) {
        this.target = target;
        this.loader = loader;
    }

    /** {@code connector}, each of whose calls (and those of what it returns) runs with {@code loader} as the TCCL. */
    static Connector bind(Connector connector, ClassLoader loader) {
        return wrap(Connector.class, connector, loader);
    }

    /** The class of the plugin's own object behind {@code port}, or {@code port}'s class when it is not wrapped. */
    static Class<?> implementationOf(Object port) {
        return Proxy.isProxyClass(port.getClass()) && Proxy.getInvocationHandler(port) instanceof PluginContext context
                ? context.target.getClass() : port.getClass();
    }

    /** {@code body}'s value, computed with {@code loader} as the TCCL (a plugin's constructors run plugin code too). */
    static <T> T within(ClassLoader loader, Supplier<T> body) {
        try {
            return call(loader, body::get);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("a Supplier threw a checked exception", e);
        }
    }

    private static <T> T wrap(Class<T> port, T target, ClassLoader loader) {
        return port.cast(Proxy.newProxyInstance(PluginContext.class.getClassLoader(), new Class<?>[] {port},
                new PluginContext(target, loader)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> method.invoke(target, args);
            };
        }
        Object result = call(() -> {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return wrapResult(method, result);
    }

    private Object wrapResult(Method method, Object result) {
        if (result == null) {
            return null;
        }
        Class<?> type = method.getReturnType();
        if (PORTS.contains(type)) {
            return wrapAs(type, result);
        }
        if (type == Optional.class && method.getGenericReturnType() instanceof ParameterizedType optional) {
            Type element = optional.getActualTypeArguments()[0];
            if (element instanceof Class<?> port && PORTS.contains(port)) {
                return ((Optional<?>) result).map(value -> wrapAs(port, value));
            }
        }
        if (type == InputStream.class) {
            return new ContextInputStream((InputStream) result);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private <T> Object wrapAs(Class<T> port, Object value) {
        return wrap(port, (T) value, loader);
    }

    /** A call into the plugin, with its class loader as the TCCL for the call's duration. */
    private <T> T call(PluginCall<T> body) throws Throwable {
        return call(loader, body);
    }

    private static <T> T call(ClassLoader loader, PluginCall<T> body) throws Throwable {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return body.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @FunctionalInterface
    private interface PluginCall<T> {
        T run() throws Throwable;
    }

    /** A plugin's stream: each read runs the plugin's code, so under its class loader too. */
    private final class ContextInputStream extends FilterInputStream {

        ContextInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            return io(() -> in.read());
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return io(() -> in.read(buffer, offset, length));
        }

        @Override
        public long skip(long n) throws IOException {
            return io(() -> in.skip(n));
        }

        @Override
        public int available() throws IOException {
            return io(() -> in.available());
        }

        @Override
        public void close() throws IOException {
            io(() -> {
                in.close();
                return null;
            });
        }

        private <T> T io(PluginCall<T> body) throws IOException {
            try {
                return call(body);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
        }
    }
}
