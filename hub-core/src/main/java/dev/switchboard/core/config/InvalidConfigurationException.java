package dev.switchboard.core.config;

import dev.switchboard.spi.ConfigProblem;
import java.util.List;
import java.util.stream.Collectors;

/** The configuration has problems; the message lists every one, with its path, and never a secret. */
public class InvalidConfigurationException extends RuntimeException {

    private final List<ConfigProblem> problems;

    public InvalidConfigurationException(List<ConfigProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    /** One line per problem, numbered, under a heading that counts them. */
    public static String describe(List<ConfigProblem> problems) {
        return "switchboard.yaml has " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + ":\n"
                + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n"));
    }
}
