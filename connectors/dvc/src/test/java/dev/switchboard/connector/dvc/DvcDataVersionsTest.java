package dev.switchboard.connector.dvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.model.DataVersion;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data versions read from a Git repository with JGit: DVC 2.x and 3.x files, a directory, a pipeline lock. */
class DvcDataVersionsTest {

    @TempDir
    Path directory;
    DvcFixture repo;

    @BeforeEach
    void setUp() throws Exception {
        repo = new DvcFixture(directory);
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    private DvcConnection open() {
        return (DvcConnection) new DvcConnector().open(new ConnectionConfig("dvc-data", "dvc",
                Map.of("repository", repo.work.toString())), ConnectorContext.standalone());
    }

    @Test
    void dvc2And3FilesADirectoryAndAPipelineLockYieldDataVersionsAtTheCommit() throws Exception {
        byte[] train = DvcFixture.bytes("a,b\n1,2\n");
        String trainMd5 = repo.push3(train);
        String legacyMd5 = repo.push2(DvcFixture.bytes("x\r\ny\r\n"));
        String dirMd5 = repo.pushDir3(Map.of("a.png", new byte[] {1, 2, 3}, "sub/b.png", new byte[] {4}));
        String modelMd5 = repo.push3(new byte[] {9, 9});
        repo.config(repo.remote.toString())
                .file("data/train.csv.dvc", DvcFixture.dvc3(trainMd5, train.length, "train.csv"))
                .file("legacy.txt.dvc", DvcFixture.dvc2(legacyMd5, 6, "legacy.txt"))
                .file("data/images.dvc", "outs:\n- md5: " + dirMd5 + "\n  size: 4\n  nfiles: 2\n  hash: md5\n"
                        + "  path: images\n  remote: storage\n")
                .file("dvc.lock", "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n"
                        + "    - path: data/images\n      hash: md5\n      md5: " + dirMd5 + "\n    outs:\n"
                        + "    - path: model.pkl\n      hash: md5\n      md5: " + modelMd5 + "\n      size: 2\n"
                        + "    - path: metrics.json\n      hash: md5\n      md5: " + trainMd5 + "\n      cache: false\n");
        String commit = repo.commit("track data");

        try (DvcConnection connection = open()) {
            List<DataVersion> versions = connection.dataVersions("main");
            assertThat(versions).extracting(DataVersion::path).containsExactlyInAnyOrder(
                    "data/train.csv", "legacy.txt", "data/images", "model.pkl");
            assertThat(versions).allSatisfy(v -> assertThat(v.version()).isEqualTo(commit));
            DataVersion csv = find(versions, "data/train.csv");
            assertThat(csv.artifact().digest()).isEqualTo(new Digest(Digest.Algorithm.MD5, trainMd5));
            assertThat(csv.artifact().size()).isEqualTo(train.length);
            assertThat(csv.artifact().uri()).isEqualTo(URI.create("dvc://dvc-data/data/train.csv@" + commit));
            assertThat(csv.ref().nativeId()).isEqualTo("data/train.csv.dvc#data/train.csv@" + commit);
            assertThat(find(versions, "legacy.txt").artifact().digest())
                    .as("a 2.x md5 is not the md5 of the bytes").isEqualTo(new Digest(Digest.Algorithm.ETAG, legacyMd5));
            assertThat(find(versions, "data/images").artifact().digest().value()).isEqualTo(dirMd5).endsWith(".dir");
            assertThat(find(versions, "model.pkl").ref().nativeId()).startsWith("dvc.lock#");
            assertThat(csv.createdAt()).isEqualTo(java.time.Instant.ofEpochSecond(1_700_000_060L));
        }
    }

    @Test
    void outputsCarryHashFlavourSizeFilesAndRemote() {
        List<DvcOutput> outputs = DvcFiles.parse("data/images.dvc", DvcFixture.bytes(
                "outs:\n- md5: 3b5c2a7d3b5c2a7d3b5c2a7d3b5c2a7d.dir\n  size: 12345\n  nfiles: 42\n  hash: md5\n"
                        + "  path: images\n  remote: archive\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  path: ../foo\n"));
        assertThat(outputs).containsExactly(
                new DvcOutput("data/images.dvc", "data/images", "3b5c2a7d3b5c2a7d3b5c2a7d3b5c2a7d.dir",
                        DvcOutput.HashName.MD5, 12345L, 42, "archive"),
                new DvcOutput("data/images.dvc", "foo", "acbd18db4cc2f85cedef654fccc4a4d8",
                        DvcOutput.HashName.MD5_DOS2UNIX, null, null, null));
        assertThat(outputs.get(0).objectKey()).isEqualTo("files/md5/3b/5c2a7d3b5c2a7d3b5c2a7d3b5c2a7d.dir");
        assertThat(outputs.get(1).objectKey()).isEqualTo("ac/bd18db4cc2f85cedef654fccc4a4d8");
    }

    @Test
    void badDvcFilesAreRefusedNamingTheFileAndField() {
        assertThatThrownBy(() -> DvcFiles.parse("a.dvc", DvcFixture.bytes("outs:\n- md5: nothex\n  path: a\n")))
                .hasMessageContaining("a.dvc").hasMessageContaining("nothex");
        assertThatThrownBy(() -> DvcFiles.parse("a.dvc", DvcFixture.bytes("outs:\n- md5: x\n")))
                .hasMessageContaining("a.dvc: outs[0].path is missing");
        assertThatThrownBy(() -> DvcFiles.parse("a.dvc", DvcFixture.bytes(
                "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  path: ../../etc/passwd\n")))
                .hasMessageContaining("leaves the repository");
        assertThatThrownBy(() -> DvcFiles.parse("a.dvc", DvcFixture.bytes("outs: !!java.io.File [x]\n")))
                .hasMessageContaining("a.dvc is not valid YAML");
    }

    @Test
    void dvcConfigNamesTheDefaultRemoteAndIgnoresNothingElseItNeeds() {
        DvcConfig config = DvcConfig.parse(DvcFixture.bytes("[core]\n    remote = storage\n    autostage = true\n"
                + "['remote \"storage\"']\n    url = s3://bucket/path\n    region = eu-west-1\n"
                + "[remote \"other\"]\n    url = /mnt/other # comment\n"));
        assertThat(config.defaultRemote()).isEqualTo("storage");
        assertThat(config.url("storage")).contains("s3://bucket/path");
        assertThat(config.option("storage", "region")).contains("eu-west-1");
        assertThat(config.url("other")).contains("/mnt/other");
        assertThatThrownBy(() -> DvcConfig.parse(DvcFixture.bytes("[core\nremote = x\n")))
                .hasMessageContaining(".dvc/config line 1");
    }

    private static DataVersion find(List<DataVersion> versions, String path) {
        return versions.stream().filter(v -> v.path().equals(path)).findFirst().orElseThrow();
    }
}
