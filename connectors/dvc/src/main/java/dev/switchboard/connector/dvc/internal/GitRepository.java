package dev.switchboard.connector.dvc.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * The Git side of a DVC project, through JGit (no {@code git} binary): files at a commit, the DVC files a commit
 * changed, the first-parent history between two commits, and commits of one file for writes.
 *
 * <p>A local path is read in place (bare or not; only committed trees are read, never the work tree). A URL is
 * cloned bare into a directory of the hub's and fetched before reads that need the newest state. Thread-safe:
 * fetches, clones and commits are serialised on this object; reads of immutable commits need no lock.
 */
public final class GitRepository implements AutoCloseable {

    /** How far back a diff walks the first-parent chain before it compares the two ends directly. */
    static final int MAX_WALK = 1000;

    private final String location;
    private final boolean remote;
    private final Path cloneDirectory;
    private final CredentialsProvider credentials;
    private final int timeoutSeconds;
    private Repository repository;

    /**
     * @param location       a local path, or a URL to clone
     * @param cloneDirectory where a URL is cloned (unused for a local path)
     * @param username       user name sent with {@code token}
     * @param token          password or token for HTTPS, or {@code null}
     */
    public GitRepository(String location, boolean remote, Path cloneDirectory, String username, String token,
                         int timeoutSeconds) {
        this.location = location;
        this.remote = remote;
        this.cloneDirectory = cloneDirectory;
        this.credentials = token == null ? null : new UsernamePasswordCredentialsProvider(username, token);
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The repository, opened (and for a URL cloned) on first use, so a connection opens while Git is down. */
    private synchronized Repository repository() throws IOException {
        if (repository == null) {
            if (!remote) {
                File path = new File(location);
                if (!path.exists()) {
                    throw new IOException("no repository at " + location);
                }
                repository = Git.open(path).getRepository();
            } else if (Files.exists(cloneDirectory.resolve("HEAD"))) {
                repository = Git.open(cloneDirectory.toFile()).getRepository();
            } else {
                Files.createDirectories(cloneDirectory);
                try {
                    repository = Git.cloneRepository().setURI(location).setBare(true)
                            .setDirectory(cloneDirectory.toFile()).setCredentialsProvider(credentials)
                            .setTimeout(timeoutSeconds).setCloneAllBranches(true).call().getRepository();
                } catch (GitAPIException e) {
                    throw new IOException("cannot clone: " + e.getMessage(), e);
                }
            }
        }
        return repository;
    }

    /** Brings a cloned repository up to date with its origin (branches mirrored); nothing for a local path. */
    public synchronized void fetch() throws IOException {
        Repository repo = repository();
        if (!remote) {
            return;
        }
        try (Git git = new Git(repo)) {
            git.fetch().setRemote("origin").setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
                    .setCredentialsProvider(credentials).setTimeout(timeoutSeconds).setRemoveDeletedRefs(true).call();
        } catch (GitAPIException e) {
            throw new IOException("cannot fetch: " + e.getMessage(), e);
        }
    }

    /** The commit {@code refs/heads/<branch>} points at, or empty when there is no such branch. */
    public Optional<String> branchHead(String branch) throws IOException {
        ObjectId id = repository().resolve(Constants.R_HEADS + branch + "^{commit}");
        return Optional.ofNullable(id).map(ObjectId::name);
    }

    /** The full id of the commit {@code revision} names (a full or abbreviated id, a branch, a tag), or empty. */
    public Optional<String> resolve(String revision) throws IOException {
        try {
            ObjectId id = repository().resolve(revision + "^{commit}");
            return Optional.ofNullable(id).map(ObjectId::name);
        } catch (org.eclipse.jgit.errors.RevisionSyntaxException | org.eclipse.jgit.errors.AmbiguousObjectException e) {
            return Optional.empty();
        }
    }

    /** Whether the object with this full id is in the repository. */
    public boolean has(String commit) throws IOException {
        return ObjectId.isId(commit) && repository().getObjectDatabase().has(ObjectId.fromString(commit));
    }

    /** The content of {@code path} at {@code commit}, or empty when the commit has no such file. */
    public Optional<byte[]> read(String commit, String path) throws IOException {
        Repository repo = repository();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit revCommit = walk.parseCommit(ObjectId.fromString(commit));
            try (TreeWalk tree = TreeWalk.forPath(repo, path, revCommit.getTree())) {
                if (tree == null || tree.getFileMode(0).getObjectType() != Constants.OBJ_BLOB) {
                    return Optional.empty();
                }
                return Optional.of(repo.open(tree.getObjectId(0), Constants.OBJ_BLOB).getBytes(1 << 24));
            }
        }
    }

    /** Every file path at {@code commit} that {@code wanted} accepts. */
    public List<String> files(String commit, Predicate<String> wanted) throws IOException {
        Repository repo = repository();
        List<String> paths = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo); TreeWalk tree = new TreeWalk(repo)) {
            tree.addTree(walk.parseCommit(ObjectId.fromString(commit)).getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                if (wanted.test(tree.getPathString())) {
                    paths.add(tree.getPathString());
                }
            }
        }
        return paths;
    }

    /** The paths {@code wanted} accepts whose content differs between {@code from} (or nothing) and {@code to}. */
    public List<String> changed(String from, String to, Predicate<String> wanted) throws IOException {
        Repository repo = repository();
        List<String> paths = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo); TreeWalk tree = new TreeWalk(repo)) {
            if (from == null) {
                tree.addTree(new org.eclipse.jgit.treewalk.EmptyTreeIterator());
            } else {
                tree.addTree(walk.parseCommit(ObjectId.fromString(from)).getTree());
            }
            tree.addTree(walk.parseCommit(ObjectId.fromString(to)).getTree());
            tree.setRecursive(true);
            tree.setFilter(TreeFilter.ANY_DIFF);
            while (tree.next()) {
                if (wanted.test(tree.getPathString())) {
                    paths.add(tree.getPathString());
                }
            }
        }
        return paths;
    }

    /**
     * The commits after {@code from} up to {@code to}, oldest first, along {@code to}'s first parents (the branch's
     * own history, merges counted once). When {@code from} is not on that chain (a force-push) or is further back
     * than {@value #MAX_WALK} commits, only {@code to} is returned and the caller compares it with {@code from}.
     *
     * @param from the commit already seen, or {@code null} for none (then only {@code to})
     */
    public List<Step> steps(String from, String to) throws IOException {
        Repository repo = repository();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit head = walk.parseCommit(ObjectId.fromString(to));
            if (from == null) {
                return List.of(new Step(parentOf(walk, head), head.name(), time(head)));
            }
            List<Step> steps = new ArrayList<>();
            RevCommit current = head;
            while (current != null && !current.name().equals(from) && steps.size() < MAX_WALK) {
                String parent = parentOf(walk, current);
                steps.add(0, new Step(parent, current.name(), time(current)));
                current = parent == null ? null : walk.parseCommit(ObjectId.fromString(parent));
            }
            if (current == null || !current.name().equals(from)) {
                return from.equals(to) ? List.of() : List.of(new Step(from, head.name(), time(head)));
            }
            return steps;
        }
    }

    private static String parentOf(RevWalk walk, RevCommit commit) throws IOException {
        walk.parseHeaders(commit);
        return commit.getParentCount() == 0 ? null : commit.getParent(0).name();
    }

    private static Instant time(RevCommit commit) {
        return commit.getCommitterIdent().getWhenAsInstant();
    }

    /**
     * Commits {@code content} as {@code path} on {@code branch} (a new commit on its head, the rest of the tree
     * unchanged) and, for a cloned repository, pushes it. The branch moves only if nobody moved it meanwhile.
     *
     * @return the new commit's id
     * @throws IOException when the branch moved, the push was refused, or Git failed
     */
    public synchronized String commitFile(String branch, String path, byte[] content, String message,
                                          PersonIdent author) throws IOException {
        fetch();
        Repository repo = repository();
        ObjectId base = repo.resolve(Constants.R_HEADS + branch + "^{commit}");
        ObjectId commitId;
        try (ObjectInserter inserter = repo.newObjectInserter(); ObjectReader reader = repo.newObjectReader();
             RevWalk walk = new RevWalk(reader)) {
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content);
            DirCache index = base == null ? DirCache.newInCore()
                    : DirCache.read(reader, walk.parseCommit(base).getTree());
            DirCacheEditor editor = index.editor();
            editor.add(new DirCacheEditor.PathEdit(path) {
                @Override
                public void apply(DirCacheEntry entry) {
                    entry.setFileMode(FileMode.REGULAR_FILE);
                    entry.setObjectId(blob);
                }
            });
            editor.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            if (base != null) {
                commit.setParentId(base);
            }
            commit.setAuthor(author);
            commit.setCommitter(author);
            commit.setMessage(message);
            commitId = inserter.insert(commit);
            inserter.flush();
        }
        RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
        update.setNewObjectId(commitId);
        update.setExpectedOldObjectId(base == null ? ObjectId.zeroId() : base);
        update.setRefLogMessage("switchboard: " + message, false);
        RefUpdate.Result result = update.update();
        if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
            throw new IOException("branch " + branch + " could not be moved to the new commit: " + result);
        }
        if (remote) {
            push(repo, branch, commitId, base);
        }
        return commitId.name();
    }

    private void push(Repository repo, String branch, ObjectId commit, ObjectId base) throws IOException {
        try (Git git = new Git(repo)) {
            Iterable<PushResult> results = git.push().setRemote("origin").setCredentialsProvider(credentials)
                    .setTimeout(timeoutSeconds).setRefSpecs(new RefSpec(Constants.R_HEADS + branch + ":"
                            + Constants.R_HEADS + branch)).call();
            for (PushResult pushed : results) {
                for (RemoteRefUpdate ref : pushed.getRemoteUpdates()) {
                    if (ref.getStatus() != RemoteRefUpdate.Status.OK && ref.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE) {
                        rollBack(repo, branch, commit, base);
                        throw new IOException("push of " + branch + " was refused: " + ref.getStatus()
                                + (ref.getMessage() == null ? "" : " (" + ref.getMessage() + ")"));
                    }
                }
            }
        } catch (GitAPIException e) {
            rollBack(repo, branch, commit, base);
            throw new IOException("cannot push: " + e.getMessage(), e);
        }
    }

    /** Puts the clone's branch back where origin has it, so a refused commit is not read as the branch's state. */
    private static void rollBack(Repository repo, String branch, ObjectId commit, ObjectId base) throws IOException {
        RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
        update.setExpectedOldObjectId(commit);
        update.setForceUpdate(true);
        if (base == null) {
            update.delete();
        } else {
            update.setNewObjectId(base);
            update.update();
        }
    }

    /** A commit on the branch and the commit it is compared with. */
    public record Step(String parent, String commit, Instant time) {
    }

    /** The author of the hub's commits. */
    public static PersonIdent author(String name, Instant when) {
        return new PersonIdent(name, "switchboard@localhost", when, ZoneOffset.UTC);
    }

    @Override
    public synchronized void close() {
        if (repository != null) {
            repository.close();
            repository = null;
        }
    }
}
