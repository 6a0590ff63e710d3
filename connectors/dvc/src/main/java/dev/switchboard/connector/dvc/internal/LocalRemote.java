package dev.switchboard.connector.dvc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;

/** A local directory remote ({@code url = /mnt/dvc-store}): objects are files below it. */
public final class LocalRemote implements RemoteStorage {

    private final Path root;

    public LocalRemote(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path file(String key) throws IOException {
        Path file = root.resolve(key).normalize();
        if (!file.startsWith(root)) {
            throw new NoSuchFileException(key);
        }
        return file;
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public OptionalLong size(String key) throws IOException {
        Path file = file(key);
        return Files.isRegularFile(file) ? OptionalLong.of(Files.size(file)) : OptionalLong.empty();
    }

    @Override
    public InputStream open(String key) throws IOException {
        Path file = file(key);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(key);
        }
        return Files.newInputStream(file);
    }

    /** Copies to a temporary name next to the object and renames it, so a reader never sees half an object. */
    @Override
    public void put(String key, Path source, long size) throws IOException {
        Path target = file(key);
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempFile(target.getParent(), ".switchboard-", ".part");
        try {
            Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
