package dev.switchboard.spi;

/**
 * One thing wrong with a configuration, located by its path in {@code switchboard.yaml}.
 *
 * @param path    where the problem is, dotted from the file's root ({@code connections.mlflow-prod.options.url})
 * @param message what is wrong and, where safe, the bad value ({@code must be an absolute http(s) URL, was
 *                "mlflow:5000"}); never a secret's value
 */
public record ConfigProblem(String path, String message) {

    public ConfigProblem {
        if (path == null || path.isBlank() || message == null || message.isBlank()) {
            throw new IllegalArgumentException("a config problem needs a path and a message");
        }
    }

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
