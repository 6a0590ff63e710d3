package dev.switchboard.connector.dvc;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The committed {@code .dvc/config} (INI, written by Python's configobj): {@code [core] remote = <name>} and one
 * {@code ['remote "<name>"']} section per remote. {@code .dvc/config.local} is git-ignored and never read;
 * credential keys in the committed file ({@code access_key_id}, {@code password}, …) are ignored on purpose, because
 * credentials come from the connection's options only.
 *
 * @param defaultRemote {@code core.remote}, or {@code null}
 * @param remotes       each remote's keys (lower case) and values, by remote name
 */
record DvcConfig(String defaultRemote, Map<String, Map<String, String>> remotes) {

    static final String PATH = ".dvc/config";
    static final DvcConfig EMPTY = new DvcConfig(null, Map.of());

    private static final Pattern SECTION = Pattern.compile("\\[\\s*'?\\s*(\\w+)(?:\\s+\"([^\"]+)\")?\\s*'?\\s*]");
    private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9_.-]+)\\s*=\\s*(.*)");

    static DvcConfig parse(byte[] content) {
        String section = null;
        String name = null;
        String core = null;
        Map<String, Map<String, String>> remotes = new LinkedHashMap<>();
        int number = 0;
        for (String raw : new String(content, StandardCharsets.UTF_8).split("\r?\n")) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            Matcher header = SECTION.matcher(line);
            if (line.startsWith("[")) {
                if (!header.matches()) {
                    throw new IllegalArgumentException(PATH + " line " + number + ": not a section header: " + line);
                }
                section = header.group(1).toLowerCase(Locale.ROOT);
                name = header.group(2);
                if (section.equals("remote") && name != null) {
                    remotes.putIfAbsent(name, new HashMap<>());
                }
                continue;
            }
            Matcher entry = ENTRY.matcher(line);
            if (!entry.matches()) {
                throw new IllegalArgumentException(PATH + " line " + number + ": not key = value");
            }
            String key = entry.group(1).toLowerCase(Locale.ROOT);
            String value = unquote(entry.group(2).strip());
            if ("core".equals(section) && name == null && key.equals("remote")) {
                core = value;
            } else if ("remote".equals(section) && name != null) {
                remotes.get(name).put(key, value);
            }
        }
        return new DvcConfig(core, Map.copyOf(remotes));
    }

    /** The URL of remote {@code name}. */
    Optional<String> url(String name) {
        return Optional.ofNullable(remotes.get(name)).map(keys -> keys.get("url")).filter(url -> !url.isBlank());
    }

    Optional<String> option(String remote, String key) {
        return Optional.ofNullable(remotes.get(remote)).map(keys -> keys.get(key));
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                || value.startsWith("\"") && value.endsWith("\""))) {
            return value.substring(1, value.length() - 1);
        }
        int comment = value.indexOf(" #");
        return comment < 0 ? value : value.substring(0, comment).strip();
    }
}
