package dev.switchboard.connector.dvc;

import dev.switchboard.connector.dvc.internal.DvcMd5;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A DVC project built the way DVC leaves one: a Git repository (JGit) with {@code .dvc} files, a {@code dvc.lock}
 * and {@code .dvc/config}, and the objects laid out in a local directory remote as {@code dvc push} lays them out.
 */
final class DvcFixture implements AutoCloseable {

    final Path work;
    final Path remote;
    final Git git;
    private long tick = 1_700_000_000L;

    DvcFixture(Path directory) throws IOException, GitAPIException {
        this.work = Files.createDirectories(directory.resolve("repo"));
        this.remote = Files.createDirectories(directory.resolve("remote"));
        this.git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
    }

    /** A bare repository that is the origin of {@link #work}, so a connection can clone it by file:// URL. */
    static Path bareOrigin(Path directory) throws GitAPIException {
        Path origin = directory.resolve("origin.git");
        Git.init().setBare(true).setDirectory(origin.toFile()).setInitialBranch("main").call().close();
        return origin;
    }

    DvcFixture file(String path, String content) throws IOException {
        Path file = work.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return this;
    }

    DvcFixture config(String remoteUrl) throws IOException {
        return file(".dvc/config", "[core]\n    remote = storage\n['remote \"storage\"']\n    url = " + remoteUrl + "\n");
    }

    /** Stores {@code content} in the remote at DVC 3's key and returns its md5. */
    String push3(byte[] content) throws IOException {
        String md5 = DvcMd5.of(content, false);
        put(DvcOutput.objectKey(md5, DvcOutput.HashName.MD5), content);
        return md5;
    }

    /** Stores {@code content} at DVC 2.x's key with its dos2unix md5 and returns the md5. */
    String push2(byte[] content) throws IOException {
        String md5 = DvcMd5.of(content, true);
        put(DvcOutput.objectKey(md5, DvcOutput.HashName.MD5_DOS2UNIX), content);
        return md5;
    }

    /** A directory: each file pushed, then the {@code .dir} manifest as DVC serialises it; returns {@code <md5>.dir}. */
    String pushDir3(Map<String, byte[]> files) throws IOException {
        StringBuilder manifest = new StringBuilder("[");
        new java.util.TreeMap<>(files).forEach((relpath, content) -> {
            try {
                String md5 = push3(content);
                manifest.append(manifest.length() > 1 ? ", " : "").append("{\"md5\": \"").append(md5)
                        .append("\", \"relpath\": \"").append(relpath).append("\"}");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] json = manifest.append("]").toString().getBytes(StandardCharsets.UTF_8);
        String md5 = DvcMd5.of(json, false) + ".dir";
        put(DvcOutput.objectKey(md5, DvcOutput.HashName.MD5), json);
        return md5;
    }

    void put(String key, byte[] content) throws IOException {
        Path object = remote.resolve(key);
        Files.createDirectories(object.getParent());
        Files.write(object, content);
    }

    /** A DVC 3 {@code .dvc} file for one output. */
    static String dvc3(String md5, long size, String path) {
        return "outs:\n- md5: " + md5 + "\n  size: " + size + "\n  hash: md5\n  path: " + path + "\n";
    }

    /** A DVC 2.x {@code .dvc} file (no {@code hash:}). */
    static String dvc2(String md5, long size, String path) {
        return "outs:\n- md5: " + md5 + "\n  size: " + size + "\n  path: " + path + "\n";
    }

    String commit(String message) throws GitAPIException {
        tick += 60;
        PersonIdent who = new PersonIdent("Data Scientist", "ds@example.com", java.time.Instant.ofEpochSecond(tick),
                java.time.ZoneOffset.UTC);
        git.add().addFilepattern(".").call();
        RevCommit commit = git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
        return commit.name();
    }

    void pushTo(Path origin) throws GitAPIException {
        git.push().setRemote(origin.toUri().toString()).add("main").call();
    }

    static String md5(byte[] content) {
        return DvcMd5.of(content, false);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        git.close();
    }
}
