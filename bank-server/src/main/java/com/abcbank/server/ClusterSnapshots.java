package com.abcbank.server;

import com.abcbank.journal.SnapshotStore;
import com.abcbank.ledger.LedgerState;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster node's snapshots: the bank's own snapshot file ({@link SnapshotStore}, the ledger as of transaction
 * {@code seq}) and, beside it, what Raft needs to start from it: the log entry it covers (term, index), the hash
 * chain's head at {@code seq} (the journal after it must chain to it), and the idempotency-key window's state at that
 * entry (so a node started from it forgets keys exactly as the others do).
 *
 * <p>The users as of the snapshot go with it ({@code users-<index>}): registrations and password changes are
 * replicated state too, and a node that installs the snapshot takes them from there.
 *
 * <p>The sidecar {@code raft-<index>.meta} is written after the snapshot file and the users file, forced and renamed
 * into place: a crash leaves files without a sidecar (ignored) or all three. The newest {@value #KEEP} sidecars are
 * kept. They live in Ratis's state machine directory, which Ratis replaces whole when it installs a snapshot
 * from the leader.
 */
final class ClusterSnapshots {
    private static final Logger log = LoggerFactory.getLogger(ClusterSnapshots.class);
    private static final Pattern META = Pattern.compile("raft-(\\d{20})\\.meta");
    private static final int KEEP = 2;

    /**
     * What a snapshot covers besides the ledger.
     *
     * @param keysCutoff the cutoff of the last time keys were forgotten
     * @param nextForget when keys are forgotten next (an entry's time)
     */
    record Meta(long seq, long term, long index, String head, Instant keysCutoff, Instant nextForget) {}

    /**
     * A snapshot read back: the ledger's state, what it covers, and its three files (the bank's snapshot, the users
     * as of it, the sidecar), which are what Ratis sends a node that must install it.
     */
    record Loaded(LedgerState state, Meta meta, Path file, Path users, Path sidecar) {
        List<Path> files() {
            return List.of(file, users, sidecar);
        }
    }

    private final Path dir;
    private final SnapshotStore store;

    ClusterSnapshots(Path dir) {
        this.dir = dir;
        this.store = new SnapshotStore(dir);
    }

    /**
     * Writes the ledger's {@code state}, a copy of the users ({@code copyUsers} writes it to the path it is given),
     * then the sidecar; returns them as read back would.
     */
    Loaded write(LedgerState state, Meta meta, UsersCopy copyUsers) throws IOException {
        Path file = store.write(state);
        Path users = dir.resolve(String.format("users-%020d", meta.index()));
        copyUsers.to(users);
        Properties p = new Properties();
        p.setProperty("seq", Long.toString(meta.seq()));
        p.setProperty("term", Long.toString(meta.term()));
        p.setProperty("index", Long.toString(meta.index()));
        p.setProperty("head", meta.head());
        p.setProperty("keysCutoff", meta.keysCutoff().toString());
        p.setProperty("nextForget", meta.nextForget().toString());
        p.setProperty("file", file.getFileName().toString());
        p.setProperty("users", users.getFileName().toString());
        Path target = dir.resolve(String.format("raft-%020d.meta", meta.index()));
        Path temporary = dir.resolve(target.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            p.store(out, "ABC Bank cluster snapshot: the log entry it covers");
        }
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
        prune();
        return new Loaded(state, meta, file, users, target);
    }

    /** Writes a copy of the users to a path. */
    interface UsersCopy {
        void to(Path target) throws IOException;
    }

    /** The newest snapshot whose sidecar and file both read back whole, if any. */
    Optional<Loaded> loadLatest() throws IOException {
        for (Path meta : metas()) {
            try {
                Properties p = new Properties();
                try (Reader in = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
                    p.load(in);
                }
                Meta read = new Meta(
                        Long.parseLong(p.getProperty("seq")),
                        Long.parseLong(p.getProperty("term")),
                        Long.parseLong(p.getProperty("index")),
                        p.getProperty("head"),
                        Instant.parse(p.getProperty("keysCutoff")),
                        Instant.parse(p.getProperty("nextForget")));
                Path file = dir.resolve(p.getProperty("file"));
                Path users = dir.resolve(p.getProperty("users"));
                if (!Files.isRegularFile(users)) {
                    throw new IOException("its users file " + users + " is missing");
                }
                LedgerState state = SnapshotStore.load(file);
                if (state.lastSeq() != read.seq()) {
                    throw new IOException(
                            "snapshot " + file + " holds transaction " + state.lastSeq() + ", not " + read.seq());
                }
                return Optional.of(new Loaded(state, read, file, users, meta));
            } catch (IOException | RuntimeException e) {
                log.warn("cluster snapshot {} cannot be used ({}); trying the one before", meta, e.toString());
            }
        }
        return Optional.empty();
    }

    /** Sidecars, newest first. */
    private List<Path> metas() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> metas = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> META.matcher(f.getFileName().toString()).matches())
                    .forEach(metas::add);
        }
        metas.sort(Comparator.comparing((Path f) -> f.getFileName().toString()).reversed());
        return metas;
    }

    /** Keeps the newest {@value #KEEP} sidecars and the users files they name; the store prunes its own files. */
    private void prune() throws IOException {
        List<Path> metas = metas();
        for (Path old : metas.subList(Math.min(KEEP, metas.size()), metas.size())) {
            String name = old.getFileName().toString();
            Files.deleteIfExists(
                    dir.resolve("users-" + name.substring("raft-".length(), name.length() - ".meta".length())));
            Files.deleteIfExists(old);
        }
    }
}
