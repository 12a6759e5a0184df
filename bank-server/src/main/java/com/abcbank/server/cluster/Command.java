package com.abcbank.server.cluster;

import com.abcbank.ledger.Role;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One request of a replicated log entry, as the node that received it from a client vouches for it: who asked
 * (authenticated there) and the request line, without its id. Every node applies it the same way, so it carries
 * everything the result depends on and nothing a node would draw afresh: a registration carries the verifier the
 * client derived; a password change carries the new verifier and the address it came from (for the security trail).
 *
 * @param kind what applying it does
 * @param user who asked (for {@link Kind#REGISTER}, the new user; for {@link Kind#AUDITOR}, the auditor's name)
 * @param role the role the receiving node authenticated {@code user} in
 * @param line the request as JSON ({@code {"op":"transfer",...}}); for {@link Kind#AUDITOR}, a {@code register}
 *             request carrying the auditor's verifier
 * @param from the client's address for {@link Kind#PASSWD}, else the empty string
 */
public record Command(Kind kind, String user, Role role, String line, String from) {
    /** What a command does when applied. */
    public enum Kind {
        /** A money request, through the ledger: the same rules as on a single server. */
        MONEY(1),
        /** Open enrolment of a customer. */
        REGISTER(2),
        /** A logged-in user's new password. */
        PASSWD(3),
        /** The auditor, created once for the whole cluster: applies only if there is none yet. */
        AUDITOR(4);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) throws IOException {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            throw new IOException("unknown command kind " + code);
        }
    }

    /** Longest request line a command may carry: ten times the server's own line limit default, as a sanity bound. */
    static final int MAX_LINE_BYTES = 1 << 20;

    public Command {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(from, "from");
    }

    void write(DataOutputStream out) throws IOException {
        out.writeByte(kind.code);
        out.writeUTF(user);
        out.writeByte(role == Role.AUDITOR ? 1 : 0);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.writeUTF(from);
    }

    static Command read(DataInputStream in) throws IOException {
        Kind kind = Kind.of(in.readUnsignedByte());
        String user = in.readUTF();
        Role role = in.readUnsignedByte() == 1 ? Role.AUDITOR : Role.CUSTOMER;
        int length = in.readInt();
        if (length < 0 || length > MAX_LINE_BYTES) {
            throw new IOException("a command line of " + length + " bytes");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("a command cut short");
        }
        return new Command(kind, user, role, new String(bytes, StandardCharsets.UTF_8), in.readUTF());
    }
}
