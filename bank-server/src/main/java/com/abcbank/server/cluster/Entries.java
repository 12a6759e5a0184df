package com.abcbank.server.cluster;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Result;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 *   replies:  i32 count       count x reply, each one of
 *               u8 0 (refused)   UTF error code   string message
 *               u8 1 (Tx)        i64 tx   string time   string type   i64 amount
 *                                then (account, balance) (from, from balance) (to, to balance) (loan, outstanding)
 *               u8 2 (User)      string user   string role   optional string server final
 *             a string being i32 byte count and UTF-8; a pair (s, n) an optional string and an optional i64, each
 *             optional field behind a boolean that says whether it is there
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
    // The kinds of a reply: a refusal, or a result of one of the two shapes that applying a command gives.
    private static final int FAILED = 0;
    private static final int TX = 1;
    private static final int USER = 2;

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

    /**
     * The outcomes of applying an entry, as the proposing node reads them back ({@link #readReplies}), and as the
     * leader answers a forwarded batch ({@link LeaderForwarding}): in binary, field by field, so that neither end
     * writes or parses JSON for them (a connection writes its reply line straight from the result).
     */
    static byte[] replies(List<Outcome<?>> outcomes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 96 * outcomes.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(outcomes.size());
            for (Outcome<?> outcome : outcomes) {
                writeOutcome(out, outcome);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeOutcome(DataOutputStream out, Outcome<?> outcome) throws IOException {
        if (!outcome.isOk()) {
            out.writeByte(FAILED);
            out.writeUTF(outcome.error().name());
            writeString(out, outcome.message());
        } else if (outcome.value() instanceof Result.Tx tx) {
            out.writeByte(TX);
            out.writeLong(tx.tx());
            writeString(out, tx.time());
            writeString(out, tx.type());
            out.writeLong(tx.amount());
            writeOptional(out, tx.account(), tx.balance());
            writeOptional(out, tx.from(), tx.fromBalance());
            writeOptional(out, tx.to(), tx.toBalance());
            writeOptional(out, tx.loan(), tx.outstanding());
        } else if (outcome.value() instanceof Result.User user) {
            out.writeByte(USER);
            writeString(out, user.user());
            writeString(out, user.role());
            writeOptional(out, user.serverFinal());
        } else {
            // Applying a command gives one of the two above; anything else is this code's mistake, said as such.
            writeOutcome(
                    out,
                    Outcome.fail(
                            ErrorCode.INTERNAL_ERROR,
                            "a result the cluster cannot carry: "
                                    + outcome.value().getClass().getSimpleName()));
        }
    }

    static List<Outcome<?>> readReplies(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        int count = in.readInt();
        if (count < 0 || count > MAX_COMMANDS) {
            throw new IOException("a batch of " + count + " replies");
        }
        List<Outcome<?>> outcomes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            outcomes.add(readOutcome(in));
        }
        if (in.available() > 0) {
            throw new IOException("bytes after the last reply");
        }
        return outcomes;
    }

    private static Outcome<?> readOutcome(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        switch (kind) {
            case FAILED -> {
                String code = in.readUTF();
                ErrorCode error;
                try {
                    error = ErrorCode.valueOf(code);
                } catch (IllegalArgumentException e) {
                    throw new IOException("a reply with the unknown error code " + code, e);
                }
                return Outcome.fail(error, readString(in));
            }
            case TX -> {
                long tx = in.readLong();
                String time = readString(in);
                String type = readString(in);
                long amount = in.readLong();
                String account = readOptional(in);
                Long balance = readOptionalLong(in);
                String from = readOptional(in);
                Long fromBalance = readOptionalLong(in);
                String to = readOptional(in);
                Long toBalance = readOptionalLong(in);
                String loan = readOptional(in);
                Long outstanding = readOptionalLong(in);
                return Outcome.ok(new Result.Tx(
                        tx, time, type, amount, account, balance, from, fromBalance, to, toBalance, loan, outstanding));
            }
            case USER -> {
                String user = readString(in);
                String role = readString(in);
                String serverFinal = readOptional(in);
                return Outcome.ok(new Result.User(user, role, serverFinal));
            }
            default -> throw new IOException("a reply of unknown kind " + kind);
        }
    }

    /** A string of any length: UTF-8 behind its byte count (a message or an account may quote what a client sent). */
    static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > Command.MAX_LINE_BYTES) {
            throw new IOException("a string of " + length + " bytes");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("a string cut short");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** An optional string and an optional number, each behind a byte that says whether it is there. */
    private static void writeOptional(DataOutputStream out, String text, Long number) throws IOException {
        writeOptional(out, text);
        writeOptional(out, number);
    }

    static void writeOptional(DataOutputStream out, Long number) throws IOException {
        out.writeBoolean(number != null);
        if (number != null) {
            out.writeLong(number);
        }
    }

    static void writeOptional(DataOutputStream out, String text) throws IOException {
        out.writeBoolean(text != null);
        if (text != null) {
            writeString(out, text);
        }
    }

    static String readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    static Long readOptionalLong(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
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
}
