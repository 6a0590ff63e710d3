package dev.switchboard.core.camel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/** Loads the user's route files ({@code *.camel.yaml}, Camel YAML DSL) from a directory into a Camel context. */
public final class RouteFiles {

    /** The suffix of a route file; other files in the directory are ignored. */
    public static final String SUFFIX = ".camel.yaml";

    private RouteFiles() {
    }

    /** The route files in {@code directory}, sorted by name so routes load in a stable order. */
    public static List<Path> list(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(file))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list route files in " + directory, e);
        }
    }

    /**
     * Loads every route file of {@code directory} into {@code context}; Camel starts them with the context (or at
     * once, when it is already started).
     *
     * @return the files loaded
     * @throws IllegalArgumentException naming the file when one cannot be parsed or does what a route file may not
     *                                  ({@link RouteSafety}); nothing of such a file reaches Camel
     */
    public static List<Path> load(CamelContext context, Path directory) {
        List<Path> files = list(directory);
        for (Path file : files) {
            load(context, file, read(file));
        }
        return files;
    }

    /**
     * Loads one route file's {@code text} (as read from {@code file}) into {@code context}.
     *
     * @throws IllegalArgumentException naming the file when the text cannot be parsed or does what a route file may
     *                                  not ({@link RouteSafety}); nothing of such a text reaches Camel
     */
    public static void load(CamelContext context, Path file, String text) {
        List<String> unsafe = RouteSafety.problems(file.toString(), text);
        if (!unsafe.isEmpty()) {
            throw new IllegalArgumentException("route file " + file + " cannot be loaded: " + String.join("; ", unsafe));
        }
        // The text that was checked is the text that is loaded: the file is not read a second time.
        Resource resource = ResourceHelper.fromString("file:" + file.toAbsolutePath(), text);
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(resource);
        } catch (Exception e) {
            throw new IllegalArgumentException("route file " + file + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read route file " + file, e);
        }
    }
}
