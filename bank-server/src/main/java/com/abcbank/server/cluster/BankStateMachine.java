package com.abcbank.server.cluster;

import com.abcbank.journal.ChainHead;
import com.abcbank.journal.Records;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Transaction;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank as Ratis's state machine: each log entry is a batch of {@link Command}s, applied in log order through the
 * {@link ReplicatedBank}, one command after the other, on Ratis's single apply thread; the replies go back to the
 * node that submitted the batch.
 *
 * <p>Determinism: the leader stamps each entry with its clock when it enters the log ({@link #startTransaction}),
 * never later than the entry before it, and the bank applies the entry at that time; nothing else the bank applies
 * depends on time, on the node or on chance. So every node that applies entries 1..i holds the same books, and its
 * journal holds the same records with the same hash chain. {@link HeadRing} keeps the chain's head after each recent
 * entry, so that {@code verify} and {@code cluster} can compare nodes at one index.
 *
 * <p>Queries ({@link #query}, run by Ratis on its RPC threads, any time): {@link #BARRIER} answers nothing, and is
 * sent with Ratis's linearizable read (ReadIndex) so that once it returns, this node has applied every entry
 * committed before the read began; {@link #STATUS} answers this node's {@link Result.Replica}; {@code head I} the chain head
 * after entry I. A batch of commands (a message of {@link Entries}, sent by a follower as a stale read to the node it
 * takes for the leader) goes to the node's {@link #forwarding} taker: into the leader's next entry, answered with
 * its replies once applied ({@link LeaderForwarding}).
 *
 * <p>Snapshots: {@link #takeSnapshot} is called by Ratis between two applies, so the bank's state is exactly the
 * state after the last applied entry; the file records that entry's term and index, and a restart begins there
 * ({@link #initialize}), Ratis re-applying the log after it.
 */
final class BankStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(BankStateMachine.class);

    static final String BARRIER = "";
    static final String STATUS = "status";
    static final String HEAD = "head ";
    /** {@code txs A B}: the committed transactions after A, up to B, at most {@link #TRANSACTIONS_PAGE} of them. */
    static final String TRANSACTIONS = "txs ";
    /** Some 200 bytes each: a page of about 400 kB, well within gRPC's message limit. */
    static final int TRANSACTIONS_PAGE = 2_000;

    private final ReplicatedBank bank;
    private final Clock clock;
    private final String address;
    private final HeadRing heads = new HeadRing();
    private volatile ReplicatedBank.TransactionSource source = (after, until) -> {
        throw new IOException("no peer to fetch transactions from yet");
    };
    private volatile Function<byte[], CompletableFuture<Message>> forwarded =
            message -> CompletableFuture.failedFuture(new IOException("this node takes no forwarded batches yet"));
    /** The last time stamped on an entry by this node as leader: stamps never go back, whatever the clock does. */
    private Instant lastStamp = Instant.EPOCH;

    BankStateMachine(ReplicatedBank bank, Clock clock, String address) {
        this.bank = bank;
        this.clock = clock;
        this.address = address;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        super.initialize(server, groupId, storage);
        getLifeCycle().startAndTransition(() -> {
            Optional<ReplicatedBank.SnapshotFile> snapshot = bank.latestSnapshot();
            if (snapshot.isPresent()) {
                // The bank was opened from this snapshot: Ratis re-applies the log from the entry after it.
                setLastAppliedTermIndex(
                        TermIndex.valueOf(snapshot.get().term(), snapshot.get().index()));
                heads.put(snapshot.get().index(), bank.lastSeq());
            }
        });
    }

    /** Before Ratis installs a snapshot from the leader: no entry is applied until {@link #reinitialize}. */
    @Override
    public synchronized void pause() {
        if (getLifeCycle().getCurrentState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /**
     * After Ratis installed the leader's snapshot in this node's state machine directory (this node had fallen
     * behind a purged log): the bank catches up to it ({@link ReplicatedBank#install}), fetching the transactions in
     * between from a peer, and the log goes on from the snapshot's entry.
     */
    @Override
    public synchronized void reinitialize() throws IOException {
        ReplicatedBank.SnapshotFile installed = bank.install(source);
        setLastAppliedTermIndex(TermIndex.valueOf(installed.term(), installed.index()));
        heads.put(installed.index(), bank.lastSeq());
        if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    /** Where {@link #reinitialize} fetches transactions from: set by the node once its clients exist. */
    void source(ReplicatedBank.TransactionSource newSource) {
        this.source = newSource;
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] message = request.getMessage().getContent().toByteArray();
        TransactionContext.Builder builder =
                TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
        try {
            Entries.readMessage(message); // refuse what is not a batch of commands before it enters the log
        } catch (IOException e) {
            TransactionContext refused = builder.build();
            refused.setException(e);
            return refused;
        }
        Instant now;
        synchronized (this) {
            now = clock.instant();
            if (now.isBefore(lastStamp)) {
                now = lastStamp;
            }
            lastStamp = now;
        }
        return builder.setLogData(ByteString.copyFrom(Entries.stamp(message, now)))
                .build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        var entry = trx.getLogEntry();
        TermIndex termIndex = TermIndex.valueOf(entry);
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        List<Outcome<?>> outcomes;
        try {
            Entries.Entry decoded = Entries.readEntry(data);
            outcomes = new ArrayList<>(decoded.commands().size());
            for (Command command : decoded.commands()) {
                outcomes.add(bank.apply(command, decoded.time()));
            }
            bank.afterEntry(decoded.time());
        } catch (IOException e) {
            // The leader checked the batch before it entered the log, so this is not a client's doing: every node
            // reads the same bytes, so every node skips the entry alike.
            log.error("log entry {} is not a batch of bank commands; applied as nothing", termIndex, e);
            outcomes = List.of(Outcome.fail(ErrorCode.INTERNAL_ERROR, "unreadable log entry"));
        }
        updateLastAppliedTermIndex(termIndex);
        heads.put(termIndex.getIndex(), bank.lastSeq());
        // Written out now, on every node: Ratis keeps each entry's reply in its retry cache for a minute (a follower's
        // too, for when it leads and the proposer asks again), and a minute of replies held as results (a record and
        // its strings per command) was what the collector copied most; as bytes it is one array per entry.
        return CompletableFuture.completedFuture(
                Message.valueOf(UnsafeByteOperations.unsafeWrap(Entries.replies(outcomes))));
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        super.notifyTermIndexUpdated(term, index); // a configuration or leader's no-op entry: the books stay
        heads.put(index, bank.lastSeq());
    }

    /** Where a follower's forwarded batch goes: set by the node once its submitter exists. */
    void forwarding(Function<byte[], CompletableFuture<Message>> taker) {
        this.forwarded = taker;
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteString content = request.getContent();
        if (!content.isEmpty() && content.byteAt(0) == Entries.MESSAGE) {
            return forwarded.apply(content.toByteArray()); // a follower's batch, for the leader's next entry
        }
        String text = content.toString(StandardCharsets.UTF_8);
        if (text.equals(BARRIER)) {
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        if (text.equals(STATUS)) {
            return CompletableFuture.completedFuture(
                    Message.valueOf(Json.tree(status()).toString()));
        }
        if (text.startsWith(HEAD)) {
            long index = Long.parseLong(text.substring(HEAD.length()));
            OptionalLong seq = heads.at(index);
            if (seq.isEmpty()) {
                return CompletableFuture.completedFuture(Message.valueOf(""));
            }
            try {
                ChainHead head = bank.headAt(seq.getAsLong());
                return CompletableFuture.completedFuture(Message.valueOf(head.seq() + " " + head.hash()));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (text.startsWith(TRANSACTIONS)) {
            String[] range = text.substring(TRANSACTIONS.length()).split(" ", 2);
            List<Transaction> txs =
                    bank.transactions(Long.parseLong(range[0]), Long.parseLong(range[1]), TRANSACTIONS_PAGE);
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(encode(txs))));
        }
        return CompletableFuture.failedFuture(new IOException("unknown query"));
    }

    /** This node's place in the log, for {@code cluster}. */
    Result.Replica status() {
        try {
            DivisionInfo info = getServer().join().getDivision(getGroupId()).getInfo();
            long applied = getLastAppliedTermIndex() == null
                    ? 0
                    : getLastAppliedTermIndex().getIndex();
            long seq = heads.at(applied).orElse(bank.lastSeq());
            ChainHead now = bank.headAt(seq);
            return new Result.Replica(
                    getId().toString(),
                    address,
                    true,
                    info.getCurrentRole().name(),
                    info.getCurrentTerm(),
                    applied,
                    now.seq(),
                    now.hash(),
                    null);
        } catch (IOException e) {
            return new Result.Replica(getId().toString(), address, false, "UNKNOWN", 0, 0, 0, null, e.toString());
        }
    }

    /** The leader this node knows, or {@code null}. */
    RaftPeerId leader() {
        try {
            return getServer().join().getDivision(getGroupId()).getInfo().getLeaderId();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() <= 0) {
            return -1;
        }
        Optional<ReplicatedBank.SnapshotFile> latest = bank.latestSnapshot();
        if (latest.isPresent() && latest.get().index() >= applied.getIndex()) {
            return latest.get().index();
        }
        ReplicatedBank.SnapshotFile written = bank.snapshot(applied.getTerm(), applied.getIndex());
        return written.index();
    }

    /** The newest snapshot's files: what Ratis sends a follower that must install it. */
    @Override
    public SnapshotInfo getLatestSnapshot() {
        return bank.latestSnapshot()
                .map(s -> new FileListSnapshotInfo(
                        s.files().stream().map(f -> new FileInfo(f, null)).toList(), s.term(), s.index()))
                .orElse(null);
    }

    static byte[] encode(List<Transaction> txs) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(64 + 200 * txs.size());
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(txs.size());
            for (Transaction tx : txs) {
                byte[] record = Records.encode(tx);
                out.writeInt(record.length);
                out.write(record);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<Transaction> decode(byte[] data) throws IOException {
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(data));
        int count = in.readInt();
        if (count < 0 || count > TRANSACTIONS_PAGE) {
            throw new IOException("a page of " + count + " transactions");
        }
        List<Transaction> txs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = in.readInt();
            if (length <= 0 || length > Command.MAX_LINE_BYTES) {
                throw new IOException("a transaction record of " + length + " bytes");
            }
            txs.add(Records.decode(in.readNBytes(length)));
        }
        return txs;
    }
}
