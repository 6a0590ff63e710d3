package dev.switchboard.app;

import dev.switchboard.core.config.InvalidConfigurationException;
import dev.switchboard.spi.ConfigProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Holds an OS file lock on {@code <data-dir>/hub.lock} while a hub runs on the embedded H2 default, so that a second
 * hub on the same data directory stops at once with one line saying so, instead of failing a minute later inside H2.
 * The lock is taken once the configuration has passed its checks and is released when the context closes or start-up
 * fails.
 */
public class DataDirLock implements SpringApplicationRunListener, Ordered {

    static final String FILE = "hub.lock";

    /**
     * Locks this JVM holds, by data directory. A lock held here is never probed through a second channel: on Linux,
     * closing any channel to the file would drop the JVM's lock on it.
     */
    private static final Map<Path, FileLock> HELD = new ConcurrentHashMap<>();

    private Path held;

    public DataDirLock(SpringApplication application, String[] args) {
    }

    @Override
    public void environmentPrepared(ConfigurableBootstrapContext bootstrapContext, ConfigurableEnvironment environment) {
        String url = environment.getProperty("spring.datasource.url", "");
        if (url.startsWith("jdbc:h2:file:")) {
            held = acquire(Path.of(environment.getProperty("switchboard.data-dir", "./data")));
        }
    }

    @Override
    public void contextPrepared(ConfigurableApplicationContext context) {
        if (held != null) {
            Path directory = held;
            context.addApplicationListener((ApplicationListener<ContextClosedEvent>) event -> {
                if (event.getApplicationContext() == context) {
                    release(directory);
                }
            });
        }
    }

    @Override
    public void failed(ConfigurableApplicationContext context, Throwable exception) {
        if (held != null) {
            release(held);
        }
    }

    /** After Boot's own listener, so the environment has been post-processed and checked. */
    @Override
    public int getOrder() {
        return 10;
    }

    /**
     * Locks {@code directory} for this process.
     *
     * @return the directory's real path, the key to {@link #release}
     * @throws InvalidConfigurationException if another hub (in this JVM or another process) holds it
     */
    static Path acquire(Path directory) {
        Path real;
        try {
            real = Files.createDirectories(directory).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + directory, e);
        }
        if (HELD.containsKey(real)) {
            throw held(real);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(real.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw held(real);
            }
            HELD.put(real, lock);
            return real;
        } catch (OverlappingFileLockException e) {
            // Something else in this JVM holds it through another channel; closing ours would release theirs.
            throw held(real);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + real.resolve(FILE), e);
        }
    }

    static void release(Path real) {
        FileLock lock = HELD.remove(real);
        if (lock != null) {
            closeQuietly(lock.channel());
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
        }
    }

    private static HeldException held(Path directory) {
        return new HeldException(directory);
    }

    /** The data directory is another hub's: a configuration problem whose fix is not in switchboard.yaml. */
    static final class HeldException extends InvalidConfigurationException {

        HeldException(Path directory) {
            super(List.of(new ConfigProblem("data-dir", "the data directory " + directory + " is in use by another hub ("
                    + FILE + " is locked); stop the other hub or start this one with another --switchboard.data-dir")));
        }
    }
}
