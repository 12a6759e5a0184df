package com.abcbank.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.stream.Stream;

/**
 * One request line, after its {@code id} was taken off: {@code {"op": "deposit", "account": "1001", "amount": 20000}}.
 *
 * <p>Amounts are integer cents. Every money-moving request may carry a {@code key} (1 to 64 printable ASCII
 * characters, a UUID say): a retry with the same key returns the first result and moves nothing more.
 * A required field is {@code required = true}, so a missing one is an error,
 * not a zero; optional fields are boxed and {@code null} when absent. Field names on the wire are snake_case.
 *
 * <p>The op names are said once, in {@link JsonSubTypes}: {@link #OPS} is read from there, and a test checks that
 * every record this interface permits has a name. The money-moving requests are the {@link Money} ones: a caller
 * reads their key without knowing the record type, and a request added there is covered by every retry path.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonIgnoreProperties("id") // the line's id is the reply's business (Json.Parsed#id), not the request's
@JsonSubTypes({
    @JsonSubTypes.Type(value = Request.Register.class, name = "register"),
    @JsonSubTypes.Type(value = Request.Login.class, name = "login"),
    @JsonSubTypes.Type(value = Request.LoginFinal.class, name = "login_final"),
    @JsonSubTypes.Type(value = Request.Passwd.class, name = "passwd"),
    @JsonSubTypes.Type(value = Request.CreateAccount.class, name = "create_account"),
    @JsonSubTypes.Type(value = Request.Deposit.class, name = "deposit"),
    @JsonSubTypes.Type(value = Request.Withdraw.class, name = "withdraw"),
    @JsonSubTypes.Type(value = Request.Transfer.class, name = "transfer"),
    @JsonSubTypes.Type(value = Request.ApplyLoan.class, name = "apply_loan"),
    @JsonSubTypes.Type(value = Request.PayLoanCheck.class, name = "pay_loan_check"),
    @JsonSubTypes.Type(value = Request.PayLoanTransfer.class, name = "pay_loan_transfer"),
    @JsonSubTypes.Type(value = Request.Balance.class, name = "balance"),
    @JsonSubTypes.Type(value = Request.History.class, name = "history"),
    @JsonSubTypes.Type(value = Request.ShowAccountholders.class, name = "show_accountholders"),
    @JsonSubTypes.Type(value = Request.ShowHistory.class, name = "show_history"),
    @JsonSubTypes.Type(value = Request.Report.class, name = "report"),
    @JsonSubTypes.Type(value = Request.Verify.class, name = "verify"),
    @JsonSubTypes.Type(value = Request.ShowSecurityEvents.class, name = "show_security_events"),
    @JsonSubTypes.Type(value = Request.Cluster.class, name = "cluster"),
})
public sealed interface Request {
    /** The op names, as on the wire, in the order of {@link JsonSubTypes}. */
    List<String> OPS = Stream.of(Request.class.getAnnotation(JsonSubTypes.class).value())
            .map(JsonSubTypes.Type::name)
            .toList();

    /** The op name of {@code request}, as on the wire ({@code "show_history"}). */
    static String op(Request request) {
        for (JsonSubTypes.Type type :
                Request.class.getAnnotation(JsonSubTypes.class).value()) {
            if (type.value() == request.getClass()) {
                return type.name();
            }
        }
        throw new IllegalArgumentException(
                "no op name for " + request.getClass().getName());
    }

    /**
     * A request that moves money (or opens an account, which may), and so may carry an idempotency key: sent
     * twice with the same key, it moves money once ({@link Wire#KEY} says what a key may be).
     */
    sealed interface Money extends Request
            permits CreateAccount, Deposit, Withdraw, Transfer, ApplyLoan, PayLoanCheck, PayLoanTransfer {
        /** The idempotency key, or {@code null} when the request carries none. */
        String key();
    }

    /**
     * Open enrolment: a new customer, with the SCRAM-SHA-256 verifier of their password (the client derives it; the
     * password never crosses the wire). Logs the connection in as the new user.
     *
     * @param salt       base64, 16 to 64 bytes
     * @param storedKey  base64, 32 bytes: H(HMAC(SaltedPassword, "Client Key"))
     * @param serverKey  base64, 32 bytes: HMAC(SaltedPassword, "Server Key")
     */
    record Register(
            @JsonProperty(required = true) String user,
            @JsonProperty(required = true) String salt,
            @JsonProperty(required = true) int iterations,
            @JsonProperty(required = true) String storedKey,
            @JsonProperty(required = true) String serverKey)
            implements Request {
        public Register(String user, Scram.Verifier verifier) {
            this(
                    user,
                    Scram.base64(verifier.salt()),
                    verifier.iterations(),
                    Scram.base64(verifier.storedKey()),
                    Scram.base64(verifier.serverKey()));
        }

        /** The verifier sent; {@link IllegalArgumentException} (a message for the client) if it is not one. */
        public Scram.Verifier verifier() {
            return Scram.verifier(salt, iterations, storedKey, serverKey);
        }

        @Override
        public String toString() {
            return "Register[user=" + user + ", iterations=" + iterations + ", keys=***]";
        }
    }

    /**
     * The first step of a SCRAM-SHA-256 login: the client-first-message, {@code n,,n=USER,r=NONCE}. The reply's
     * {@code server_first} carries the salt and iteration count; {@link LoginFinal} follows.
     *
     * @param user     never valid, as {@code password}
     * @param password never valid: there only so that a client still sending the login of old, a user and a password,
     *                 is told what to send instead
     */
    record Login(String clientFirst, String user, String password) implements Request {
        public Login(String clientFirst) {
            this(clientFirst, null, null);
        }

        /** The user a client-first-message names, or {@code null} if it names none readably. */
        public String scramUser() {
            if (clientFirst == null) {
                return null;
            }
            int at = clientFirst.indexOf(",n=");
            if (at < 0) {
                return null;
            }
            int end = clientFirst.indexOf(',', at + 3);
            return clientFirst.substring(at + 3, end < 0 ? clientFirst.length() : end);
        }

        @Override
        public String toString() {
            return "Login[user=" + (clientFirst == null ? user : scramUser())
                    + (password == null ? "" : ", password=***") + "]";
        }
    }

    /** The second step: the client-final-message, {@code c=biws,r=NONCE,p=PROOF}. The reply names the user. */
    record LoginFinal(@JsonProperty(required = true) String clientFinal) implements Request {
        @Override
        public String toString() {
            return "LoginFinal[proof=***]";
        }
    }

    /** Changes the caller's own password: the new password's verifier, as {@link Register} sends it. */
    record Passwd(
            @JsonProperty(required = true) String salt,
            @JsonProperty(required = true) int iterations,
            @JsonProperty(required = true) String storedKey,
            @JsonProperty(required = true) String serverKey)
            implements Request {
        public Passwd(Scram.Verifier verifier) {
            this(
                    Scram.base64(verifier.salt()),
                    verifier.iterations(),
                    Scram.base64(verifier.storedKey()),
                    Scram.base64(verifier.serverKey()));
        }

        /** The verifier sent; {@link IllegalArgumentException} (a message for the client) if it is not one. */
        public Scram.Verifier verifier() {
            return Scram.verifier(salt, iterations, storedKey, serverKey);
        }

        @Override
        public String toString() {
            return "Passwd[iterations=" + iterations + ", keys=***]";
        }
    }

    /**
     * Opens a checking account for the caller.
     *
     * @param amount optional opening deposit, cents
     * @param key optional idempotency key
     */
    record CreateAccount(@JsonProperty(required = true) String account, Long amount, String key) implements Money {
        public CreateAccount(String account, Long amount) {
            this(account, amount, null);
        }
    }

    record Deposit(
            @JsonProperty(required = true) String account,
            @JsonProperty(required = true) long amount,
            String key) implements Money {
        public Deposit(String account, long amount) {
            this(account, amount, null);
        }
    }

    record Withdraw(
            @JsonProperty(required = true) String account,
            @JsonProperty(required = true) long amount,
            String key) implements Money {
        public Withdraw(String account, long amount) {
            this(account, amount, null);
        }
    }

    record Transfer(
            @JsonProperty(required = true) String from,
            @JsonProperty(required = true) String to,
            @JsonProperty(required = true) long amount,
            String key)
            implements Money {
        public Transfer(String from, String to, long amount) {
            this(from, to, amount, null);
        }
    }

    /**
     * Takes out a loan.
     *
     * @param account the caller's checking account that receives the principal
     */
    record ApplyLoan(
            @JsonProperty(required = true) String account,
            @JsonProperty(required = true) long amount,
            String key) implements Money {
        public ApplyLoan(String account, long amount) {
            this(account, amount, null);
        }
    }

    record PayLoanCheck(
            @JsonProperty(required = true) String loan,
            @JsonProperty(required = true) long amount,
            String key) implements Money {
        public PayLoanCheck(String loan, long amount) {
            this(loan, amount, null);
        }
    }

    record PayLoanTransfer(
            @JsonProperty(required = true) String from,
            @JsonProperty(required = true) String loan,
            @JsonProperty(required = true) long amount,
            String key)
            implements Money {
        public PayLoanTransfer(String from, String loan, long amount) {
            this(from, loan, amount, null);
        }
    }

    record Balance(@JsonProperty(required = true) String account) implements Request {}

    /**
     * One account's transactions, a page at a time.
     *
     * @param after cursor: the last sequence number already seen (default 0)
     * @param limit page size (default 100)
     */
    record History(@JsonProperty(required = true) String account, Long after, Integer limit) implements Request {}

    record ShowAccountholders() implements Request {}

    /**
     * The auditor's view of every transaction, filtered.
     *
     * @param from ISO-8601 instant, inclusive ({@code 2026-11-23T10:00:00Z})
     * @param to ISO-8601 instant, exclusive
     */
    record ShowHistory(Long after, Integer limit, String account, String user, String from, String to)
            implements Request {}

    record Report() implements Request {}

    /** The auditor's proof of the books: the journal re-read and recounted against the live balances. */
    record Verify() implements Request {}

    /**
     * cluster: each node of a replicated bank with its role, term, last applied log index and chain head
     * ({@link Result.Cluster}). Auditor only; a single server answers {@code INVALID_ARGUMENT}.
     */
    record Cluster() implements Request {}

    /**
     * The auditor's view of the audit trail of security events, filtered like {@link ShowHistory}.
     *
     * @param after cursor: the last event number already seen (default 0)
     * @param kind  {@code LOGIN_FAILED}, {@code LOGIN_THROTTLED}, {@code LOCKOUT}, {@code OPERATION_DENIED} or
     *              {@code PASSWORD_CHANGED}
     * @param user  the user name as the client gave it (any case)
     * @param from  ISO-8601 instant, inclusive
     * @param to    ISO-8601 instant, exclusive
     */
    record ShowSecurityEvents(Long after, Integer limit, String kind, String user, String from, String to)
            implements Request {}
}
