package com.abcbank.server.cluster;

import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the bank's data travels through Ratis: a batch of {@link Command}s as a client message, the same batch as a
 * log entry (stamped with the leader's time), and the replies of applying it.
 *
 * <pre>
 *   message:  u8 format (1)   i32 count   count x Command
 *   entry:    u8 format (2)   i64 epoch second   i32 nano   then the message
 *   replies:  i32 count       count x (i32 length, UTF-8 JSON of a Reply without id)
 *   not taken: i32 -1         UTF why (a leader's answer to a forwarded batch it did not take)
 * </pre>
 * The leader stamps the entry in {@link BankStateMachine#startTransaction}: every node applies the entry at that
 * time, so transaction times and the idempotency-key window are the same on every node, whatever its own clock says.
 */
final class Entries {
    static final int MESSAGE = 1;
    private static final int ENTRY = 2;
    /** The most commands one entry may hold: a bound on what one bad entry costs to decode. */
    static final int MAX_COMMANDS = 4_096;
    /** The count of a {@link #notTaken} answer. */
    private static final int NOT_TAKEN = -1;

    private Entries() {}

    /** A log entry as the state machine applies it. */
    record Entry(Instant time, List<Command> commands) {}

    static byte[] message(List<Command> commands) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 160 * commands.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MESSAGE);
            out.writeInt(commands.size());
            for (Command command : commands) {
                command.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** The message {@code message} stamped with the leader's {@code time}: the log entry's data. */
    static byte[] stamp(byte[] message, Instant time) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(13 + message.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ENTRY);
            out.writeLong(time.getEpochSecond());
            out.writeInt(time.getNano());
            out.write(message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Checks that {@code message} is a batch of commands (on the leader, before it enters the log). */
    static List<Command> readMessage(byte[] message) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(message));
        if (in.readUnsignedByte() != MESSAGE) {
            throw new IOException("not a batch of bank commands");
        }
        return commands(in);
    }

    static Entry readEntry(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        if (in.readUnsignedByte() != ENTRY) {
            throw new IOException("not a bank log entry");
        }
        Instant time = Instant.ofEpochSecond(in.readLong(), in.readInt());
        if (in.readUnsignedByte() != MESSAGE) {
            throw new IOException("a bank log entry without its batch");
        }
        return new Entry(time, commands(in));
    }

    private static List<Command> commands(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > MAX_COMMANDS) {
            throw new IOException("a batch of " + count + " commands");
        }
        List<Command> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            commands.add(Command.read(in));
        }
        if (in.available() > 0) {
            throw new IOException("bytes after the last command");
        }
        return commands;
    }

    static byte[] replies(List<Outcome<?>> outcomes) {
        List<Reply> replies = new ArrayList<>(outcomes.size());
        for (Outcome<?> outcome : outcomes) {
            replies.add(
                    outcome.isOk()
                            ? Reply.success(null, Json.tree(outcome.value()))
                            : Reply.failure(null, new Failure(outcome.error(), outcome.message())));
        }
        return writeReplies(replies);
    }

    /** Replies as {@link #readReplies} reads them: a leader's answer to a forwarded batch ({@link LeaderForwarding}). */
    static byte[] writeReplies(List<Reply> replies) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 256 * replies.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(replies.size());
            for (Reply reply : replies) {
                byte[] json = Json.write(reply).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(json.length);
                out.write(json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * A leader's answer to a forwarded batch it did not take (it is not the leader, or nothing happened): a count of
     * -1 and why. The follower then sends the batch through its own client.
     */
    static byte[] notTaken(String why) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(NOT_TAKEN);
            out.writeUTF(why.length() > 1_000 ? why.substring(0, 1_000) : why);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Why the leader did not take a forwarded batch, if {@code data} is its {@link #notTaken} answer. */
    static Optional<String> whyNotTaken(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        if (data.length < 4 || in.readInt() != NOT_TAKEN) {
            return Optional.empty();
        }
        return Optional.of(in.readUTF());
    }

    static List<Reply> readReplies(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        int count = in.readInt();
        if (count < 0 || count > MAX_COMMANDS) {
            throw new IOException("a batch of " + count + " replies");
        }
        List<Reply> replies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = in.readInt();
            if (length < 0 || length > Command.MAX_LINE_BYTES) {
                throw new IOException("a reply of " + length + " bytes");
            }
            byte[] json = in.readNBytes(length);
            replies.add(Json.parseReply(new String(json, java.nio.charset.StandardCharsets.UTF_8)));
        }
        return replies;
    }
}
