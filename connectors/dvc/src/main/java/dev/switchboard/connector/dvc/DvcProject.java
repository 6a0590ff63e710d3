package dev.switchboard.connector.dvc;

import dev.switchboard.connector.dvc.internal.GitRepository;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A DVC project in a Git repository: the outputs its {@code .dvc} files and {@code dvc.lock}s record at a commit,
 * the outputs a range of commits changed, and which output holds a path. Reads committed trees only.
 */
final class DvcProject {

    private static final System.Logger LOG = System.getLogger(DvcProject.class.getName());

    private final String connection;
    private final String branch;
    private final GitRepository git;

    DvcProject(String connection, String branch, GitRepository git) {
        this.connection = connection;
        this.branch = branch;
        this.git = git;
    }

    GitRepository git() {
        return git;
    }

    String branch() {
        return branch;
    }

    /** An output at a commit, with the commit's time. */
    record Version(DvcOutput output, String commit, Instant time) {
    }

    /** Every output recorded at {@code commit}. A file that cannot be read fails the call, naming the file. */
    List<DvcOutput> outputs(String commit) {
        return io("read the DVC files at " + commit, () -> {
            List<DvcOutput> outputs = new ArrayList<>();
            for (String file : git.files(commit, DvcFiles::isDvcFile)) {
                outputs.addAll(parse(file, git.read(commit, file).orElseThrow(), commit));
            }
            return outputs;
        });
    }

    /** The project's {@code .dvc/config} at {@code commit}; empty when it has none. */
    DvcConfig config(String commit) {
        return io("read " + DvcConfig.PATH + " at " + commit, () -> git.read(commit, DvcConfig.PATH)
                .map(content -> {
                    try {
                        return DvcConfig.parse(content);
                    } catch (IllegalArgumentException e) {
                        throw ConnectorException.configuration(connection, e.getMessage() + " (commit " + commit + ")");
                    }
                }).orElse(DvcConfig.EMPTY));
    }

    /**
     * The outputs each commit after {@code from} up to {@code to} created or changed, oldest commit first (within a
     * commit, in path order). An output whose file a commit cannot parse is skipped with a warning naming the file
     * and commit: a bad file in one commit must not stop every later data version.
     *
     * @param from the commit already seen, or {@code null} to report only what {@code to} itself changed
     */
    List<Version> changes(String from, String to) {
        return io("compare " + (from == null ? "" : from + " and ") + to, () -> {
            List<Version> versions = new ArrayList<>();
            for (GitRepository.Step step : git.steps(from, to)) {
                for (String file : git.changed(step.parent(), step.commit(), DvcFiles::isDvcFile)) {
                    Map<String, DvcOutput> before = new HashMap<>();
                    if (step.parent() != null) {
                        lenient(file, step.parent()).forEach(out -> before.put(out.path(), out));
                    }
                    lenient(file, step.commit()).stream()
                            .filter(out -> !out.sameContent(before.get(out.path())))
                            .sorted(java.util.Comparator.comparing(DvcOutput::path))
                            .forEach(out -> versions.add(new Version(out, step.commit(), step.time())));
                }
            }
            return versions;
        });
    }

    private List<DvcOutput> lenient(String file, String commit) throws IOException {
        Optional<byte[]> content = git.read(commit, file);
        if (content.isEmpty()) {
            return List.of();
        }
        try {
            return DvcFiles.parse(file, content.get());
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "[{0}] skipping {1} at commit {2}: {3}", connection, file, commit,
                    e.getMessage());
            return List.of();
        }
    }

    /**
     * What holds {@code path} at {@code commit}: an output with exactly that path, or a directory output that
     * contains it (then {@code relpath} is the path inside the directory).
     */
    Optional<Located> locate(String path, String commit) {
        for (DvcOutput output : outputs(commit)) {
            if (output.path().equals(path)) {
                return Optional.of(new Located(output, null));
            }
            if (output.directory() && path.startsWith(output.path() + "/")) {
                return Optional.of(new Located(output, path.substring(output.path().length() + 1)));
            }
        }
        return Optional.empty();
    }

    record Located(DvcOutput output, String relpath) {
    }

    /** The newest commit of the configured branch, after a fetch for a cloned repository. */
    Optional<String> head() {
        return io("read branch " + branch, () -> {
            git.fetch();
            return git.branchHead(branch);
        });
    }

    /** The commit {@code revision} names, fetching once if a cloned repository does not know it yet. */
    Optional<String> resolve(String revision) {
        return io("resolve " + revision, () -> {
            Optional<String> commit = git.resolve(revision);
            if (commit.isEmpty() || !revision.matches("[0-9a-f]{40}")) {
                git.fetch();
                commit = git.resolve(revision);
            }
            return commit;
        });
    }

    private List<DvcOutput> parse(String file, byte[] content, String commit) {
        try {
            return DvcFiles.parse(file, content);
        } catch (IllegalArgumentException e) {
            throw ConnectorException.configuration(connection, e.getMessage() + " (commit " + commit + ")");
        }
    }

    interface GitCall<T> {
        T call() throws IOException;
    }

    /** Git failures: a missing object or repository is the configuration's fault, a failed transport is transient. */
    <T> T io(String what, GitCall<T> call) {
        try {
            return call.call();
        } catch (org.eclipse.jgit.errors.MissingObjectException e) {
            throw ConnectorException.configuration(connection, "cannot " + what + ": the repository has no object "
                    + e.getObjectId().name());
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (message.startsWith("no repository")) {
                throw ConnectorException.configuration(connection, "cannot " + what + ": " + message);
            }
            throw ConnectorException.transientFailure(connection, "cannot " + what + ": " + message, e);
        }
    }
}
