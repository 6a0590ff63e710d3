package dev.switchboard.core.config;

import java.util.regex.Pattern;

/**
 * A model name pattern of a sync job: {@code *} matches any run of characters, {@code ?} one character and
 * {@code [abc]} / {@code [a-z]} one of a set; everything else matches itself.
 */
public final class ModelGlob {

    private final String glob;
    private final Pattern pattern;

    private ModelGlob(String glob, Pattern pattern) {
        this.glob = glob;
        this.pattern = pattern;
    }

    /**
     * @throws IllegalArgumentException with a message fit for a {@link dev.switchboard.spi.ConfigProblem}
     */
    public static ModelGlob compile(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("must not be blank");
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 1);
                    if (end < 0) {
                        throw new IllegalArgumentException("has an unclosed [ at position " + i + " in \"" + glob + "\"");
                    }
                    String set = glob.substring(i + 1, end);
                    if (set.isEmpty() || !set.matches("[A-Za-z0-9_.-]+")) {
                        throw new IllegalArgumentException("has an invalid character set [" + set + "] in \"" + glob
                                + "\"; use letters, digits, '_', '.', '-' and ranges like a-z");
                    }
                    regex.append('[').append(set.replace("\\", "\\\\")).append(']');
                    i = end;
                }
                case ']' -> throw new IllegalArgumentException("has a ] without [ at position " + i + " in \"" + glob + "\"");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        try {
            return new ModelGlob(glob, Pattern.compile(regex.toString()));
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("is not a valid pattern: \"" + glob + "\"");
        }
    }

    public boolean matches(String modelName) {
        return pattern.matcher(modelName).matches();
    }

    @Override
    public String toString() {
        return glob;
    }
}
