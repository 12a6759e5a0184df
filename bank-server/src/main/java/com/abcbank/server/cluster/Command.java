package com.abcbank.server.cluster;

import com.abcbank.ledger.Role;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Request;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;

/**
 * One request of a replicated log entry, as the node that received it from a client vouches for it: who asked
 * (authenticated there) and the request, without its id. Every node applies it the same way, so it carries
 * everything the result depends on and nothing a node would draw afresh: a registration carries the verifier the
 * client derived; a password change carries the new verifier and the address it came from (for the security trail).
 *
 * <p>In the log, a money request is written field by field (an op code, its accounts, amount and key), so that no
 * node writes or parses JSON for it; a user command as its JSON request line. An entry of an older build, whose
 * money requests are JSON lines ({@link Kind#MONEY_LINE}), reads the same.
 *
 * @param kind    what applying it does
 * @param user    who asked (for {@link Kind#REGISTER}, the new user; for {@link Kind#AUDITOR}, the auditor's name)
 * @param role    the role the receiving node authenticated {@code user} in
 * @param request for {@link Kind#MONEY}, the money request; for the others, a {@code register} request carrying the
 *                verifier (the new user's, the new password's, the auditor's)
 * @param from    the client's address for {@link Kind#PASSWD}, else the empty string
 */
public record Command(Kind kind, String user, Role role, Request request, String from) {
    /** What a command does when applied. */
    public enum Kind {
        /** A money request, through the ledger: the same rules as on a single server. */
        MONEY(5),
        /** Open enrolment of a customer. */
        REGISTER(2),
        /** A logged-in user's new password. */
        PASSWD(3),
        /** The auditor, created once for the whole cluster: applies only if there is none yet. */
        AUDITOR(4);

        /** A money request as a JSON line: how builds before the binary form wrote {@link #MONEY}; read only. */
        static final int MONEY_LINE = 1;

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) throws IOException {
            if (code == MONEY_LINE) {
                return MONEY;
            }
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            throw new IOException("unknown command kind " + code);
        }
    }

    /**
     * Longest string a command or a reply may carry (a request line, an account, a message): ten times the server's
     * own line limit default, as a sanity bound.
     */
    static final int MAX_LINE_BYTES = 1 << 20;

    public Command {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(from, "from");
        if (kind == Kind.MONEY ? !(request instanceof Request.Money) : !(request instanceof Request.Register)) {
            throw new IllegalArgumentException(
                    "a " + kind + " command carrying " + request.getClass().getSimpleName());
        }
    }

    void write(DataOutputStream out) throws IOException {
        out.writeByte(kind.code);
        out.writeUTF(user);
        out.writeByte(role == Role.AUDITOR ? 1 : 0);
        if (request instanceof Request.Money money) {
            MoneyFields.write(out, money);
        } else {
            Entries.writeString(out, Json.writeRequest(request));
        }
        out.writeUTF(from);
    }

    static Command read(DataInputStream in) throws IOException {
        int code = in.readUnsignedByte();
        Kind kind = Kind.of(code);
        String user = in.readUTF();
        Role role = in.readUnsignedByte() == 1 ? Role.AUDITOR : Role.CUSTOMER;
        Request request = code == Kind.MONEY.code ? MoneyFields.read(in) : line(in);
        try {
            return new Command(kind, user, role, request, in.readUTF());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Request line(DataInputStream in) throws IOException {
        Json.Parsed parsed = Json.parseRequest(Entries.readString(in));
        if (parsed.request() == null) {
            throw new IOException(
                    "a command whose request does not read: " + parsed.failure().message());
        }
        return parsed.request();
    }

    /**
     * A money request field by field: {@code u8 op}, then its fields in the record's order; a string as its UTF-8
     * bytes behind their count ({@link Entries#writeString}: an account a client made up may be long), an amount as
     * {@code i64}, and an optional field behind a boolean that says whether it is there.
     */
    private static final class MoneyFields {
        private static final int CREATE_ACCOUNT = 1;
        private static final int DEPOSIT = 2;
        private static final int WITHDRAW = 3;
        private static final int TRANSFER = 4;
        private static final int APPLY_LOAN = 5;
        private static final int PAY_LOAN_CHECK = 6;
        private static final int PAY_LOAN_TRANSFER = 7;

        private MoneyFields() {}

        static void write(DataOutputStream out, Request.Money money) throws IOException {
            if (money instanceof Request.CreateAccount r) {
                out.writeByte(CREATE_ACCOUNT);
                Entries.writeString(out, r.account());
                Entries.writeOptional(out, r.amount());
            } else if (money instanceof Request.Deposit r) {
                one(out, DEPOSIT, r.account(), r.amount());
            } else if (money instanceof Request.Withdraw r) {
                one(out, WITHDRAW, r.account(), r.amount());
            } else if (money instanceof Request.Transfer r) {
                two(out, TRANSFER, r.from(), r.to(), r.amount());
            } else if (money instanceof Request.ApplyLoan r) {
                one(out, APPLY_LOAN, r.account(), r.amount());
            } else if (money instanceof Request.PayLoanCheck r) {
                one(out, PAY_LOAN_CHECK, r.loan(), r.amount());
            } else if (money instanceof Request.PayLoanTransfer r) {
                two(out, PAY_LOAN_TRANSFER, r.from(), r.loan(), r.amount());
            } else {
                throw new IllegalArgumentException(
                        "no op code for " + money.getClass().getSimpleName());
            }
            Entries.writeOptional(out, money.key());
        }

        private static void one(DataOutputStream out, int op, String account, long amount) throws IOException {
            out.writeByte(op);
            Entries.writeString(out, account);
            out.writeLong(amount);
        }

        private static void two(DataOutputStream out, int op, String from, String to, long amount) throws IOException {
            out.writeByte(op);
            Entries.writeString(out, from);
            Entries.writeString(out, to);
            out.writeLong(amount);
        }

        static Request.Money read(DataInputStream in) throws IOException {
            int op = in.readUnsignedByte();
            return switch (op) {
                case CREATE_ACCOUNT -> {
                    String account = Entries.readString(in);
                    Long amount = Entries.readOptionalLong(in);
                    yield new Request.CreateAccount(account, amount, key(in));
                }
                case DEPOSIT -> new Request.Deposit(Entries.readString(in), in.readLong(), key(in));
                case WITHDRAW -> new Request.Withdraw(Entries.readString(in), in.readLong(), key(in));
                case TRANSFER ->
                    new Request.Transfer(Entries.readString(in), Entries.readString(in), in.readLong(), key(in));
                case APPLY_LOAN -> new Request.ApplyLoan(Entries.readString(in), in.readLong(), key(in));
                case PAY_LOAN_CHECK -> new Request.PayLoanCheck(Entries.readString(in), in.readLong(), key(in));
                case PAY_LOAN_TRANSFER ->
                    new Request.PayLoanTransfer(Entries.readString(in), Entries.readString(in), in.readLong(), key(in));
                default -> throw new IOException("a money command of unknown op " + op);
            };
        }

        private static String key(DataInputStream in) throws IOException {
            return Entries.readOptional(in);
        }
    }
}
