package dev.switchboard.connector.dvc;

import dev.switchboard.connector.dvc.DvcOutput.HashName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the outputs of a {@code .dvc} file ({@code outs:}) or a {@code dvc.lock} ({@code stages.<name>.outs}).
 * Parsed with SnakeYAML's safe constructor: the files come from a repository, so they are data, never types.
 *
 * <p>Only outputs DVC stores in a remote by md5 are returned: an output with {@code cache: false} is not in any
 * remote, and one with only {@code etag}/{@code checksum} (external cloud outputs) has no md5 to find or verify it by.
 */
final class DvcFiles {

    static final String LOCK_FILE = "dvc.lock";
    private static final int MAX_ALIASES = 10;

    private DvcFiles() {
    }

    /** Whether a repository path is a file that records DVC outputs. */
    static boolean isDvcFile(String path) {
        return path.endsWith(".dvc") || path.equals(LOCK_FILE) || path.endsWith("/" + LOCK_FILE);
    }

    /**
     * The outputs recorded in {@code content}, the file at repository path {@code source}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    static List<DvcOutput> parse(String source, byte[] content) {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(MAX_ALIASES);
            options.setAllowDuplicateKeys(false);
            root = new Yaml(new SafeConstructor(options)).load(new String(content, StandardCharsets.UTF_8));
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null) {
            return List.of();
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException(source + " must be a YAML mapping");
        }
        String directory = source.contains("/") ? source.substring(0, source.lastIndexOf('/') + 1) : "";
        List<DvcOutput> outputs = new ArrayList<>();
        if (source.equals(LOCK_FILE) || source.endsWith("/" + LOCK_FILE)) {
            Object stages = top.get("stages");
            if (stages instanceof Map<?, ?> byName) {
                for (Map.Entry<?, ?> stage : byName.entrySet()) {
                    if (stage.getValue() instanceof Map<?, ?> definition) {
                        outs(source, directory, definition.get("outs"), "stages." + stage.getKey() + ".outs", outputs);
                    }
                }
            } else if (stages != null) {
                throw new IllegalArgumentException(source + ": stages must be a mapping");
            }
        } else {
            String wdir = top.get("wdir") instanceof String w && !w.isBlank() && !w.equals(".") ? w : null;
            String base = wdir == null ? directory : normalize(directory + wdir + "/", source);
            outs(source, base, top.get("outs"), "outs", outputs);
        }
        return outputs;
    }

    private static void outs(String source, String base, Object outs, String where, List<DvcOutput> into) {
        if (outs == null) {
            return;
        }
        if (!(outs instanceof List<?> list)) {
            throw new IllegalArgumentException(source + ": " + where + " must be a list");
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> out)) {
                throw new IllegalArgumentException(source + ": " + where + "[" + i + "] must be a mapping");
            }
            Object path = out.get("path");
            if (!(path instanceof String relative) || relative.isBlank()) {
                throw new IllegalArgumentException(source + ": " + where + "[" + i + "].path is missing");
            }
            if (Boolean.FALSE.equals(out.get("cache")) || !(out.get("md5") instanceof String md5)) {
                continue;
            }
            Object hash = out.get("hash");
            HashName hashName;
            if (hash == null) {
                hashName = HashName.MD5_DOS2UNIX;
            } else if ("md5".equals(hash)) {
                hashName = HashName.MD5;
            } else {
                throw new IllegalArgumentException(source + ": " + where + "[" + i + "].hash must be md5, was \""
                        + hash + "\"");
            }
            into.add(new DvcOutput(source, normalize(base + relative, source), md5.trim(), hashName,
                    number(out.get("size"), source, where + "[" + i + "].size"),
                    nfiles(number(out.get("nfiles"), source, where + "[" + i + "].nfiles")),
                    out.get("remote") instanceof String remote && !remote.isBlank() ? remote : null));
        }
    }

    private static Integer nfiles(Long value) {
        return value == null ? null : Math.toIntExact(value);
    }

    private static Long number(Object value, String source, String where) {
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException(source + ": " + where + " must be a whole number, was \"" + value + "\"");
    }

    /** {@code a/./b/../c} → {@code a/c}; a path leaving the repository is refused. */
    static String normalize(String path, String source) {
        List<String> parts = new ArrayList<>();
        for (String part : path.replace('\\', '/').split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IllegalArgumentException(source + ": path " + path + " leaves the repository");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException(source + ": path \"" + path + "\" names the repository root");
        }
        return String.join("/", parts);
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
