package com.abcbank.protocol;

import java.util.List;
import java.util.Map;

/**
 * The {@code result} objects of successful replies, one record per shape. Amounts and balances are integer
 * cents; times are ISO-8601 instants in UTC; field names are snake_case on the wire. Optional fields are
 * left out when they do not apply.
 */
public final class Result {
    private Result() {}

    /**
     * register, login_final, passwd.
     *
     * @param serverFinal login_final: the server-final-message, {@code v=SIGNATURE}, which the client checks
     */
    public record User(String user, String role, String serverFinal) {
        public User(String user, String role) {
            this(user, role, null);
        }
    }

    /** login: the server-first-message, {@code r=NONCE,s=SALT,i=ITERATIONS}. */
    public record Challenge(String serverFirst) {}

    /**
     * Every money-moving op.
     *
     * @param tx           the transaction's sequence number
     * @param account      create_account, deposit, withdraw, apply_loan, pay_loan_transfer: the checking account;
     *                     with {@code balance}
     * @param from         transfer: the source; with {@code fromBalance}
     * @param to           transfer: the target; with {@code toBalance}
     * @param loan         apply_loan (the new loan's number), pay_loan_check, pay_loan_transfer; with {@code outstanding}
     */
    public record Tx(
            long tx,
            String time,
            String type,
            long amount,
            String account,
            Long balance,
            String from,
            Long fromBalance,
            String to,
            Long toBalance,
            String loan,
            Long outstanding) {}

    /** balance, and each account in show_accountholders. {@code outstanding} only for loans. */
    public record Account(String account, String kind, String owner, String created, long balance, Long outstanding) {}

    /** One line of an account's statement. {@code amount} is signed: negative when money left the account. */
    public record Entry(
            long tx, String time, String type, String user, long amount, String counterparty, long balance) {}

    /** history. {@code next}: pass as {@code after} for the next page; absent at the end. */
    public record History(String account, List<Entry> entries, Long next) {}

    public record Holder(String user, List<Account> accounts) {}

    /** show_accountholders. */
    public record Holders(List<Holder> holders) {}

    /** One posting: {@code amount} added to {@code account}, leaving {@code balance}. */
    public record Posting(String account, long amount, long balance) {}

    /** One journal transaction, in show_history; {@code key} is the client's idempotency key, if it sent one. */
    public record Transaction(
            long tx, String time, String type, String user, String opened, List<Posting> postings, String key) {}

    /** show_history. */
    public record Transactions(List<Transaction> entries, Long next) {}

    /**
     * report, as of transaction {@code asOf}.
     *
     * @param sum          the sum of every balance, internal accounts included: 0 when the books balance
     * @param totals       sum of balances per kind: {@code checking}, {@code loan} (negative: owed to the bank), {@code internal}
     * @param accounts     number of accounts per kind
     * @param outstanding  what customers owe on loans (a positive figure)
     */
    public record Report(
            long sum,
            boolean balanced,
            long transactions,
            long asOf,
            int customers,
            Map<String, Long> totals,
            Map<String, Integer> accounts,
            long outstanding,
            List<Account> internal) {}

    /**
     * verify: the journal re-read from its first record and checked against the live balances as of {@code asOf}.
     *
     * @param ok           whether every check passed
     * @param transactions transactions re-read (frames, hash chain, sequence, postings summing to 0, balances after)
     * @param accounts     live accounts compared with the journal's recount
     * @param problems     what failed, if anything (at most 20)
     * @param millis       how long it took
     * @param events       security events re-read and checked in the hash chain
     * @param head         the hash chain's head as of {@code asOf} (hex SHA-256 of that transaction's record), or
     *                     {@code null} when there is no journal to read
     * @param replicas     on a cluster, every node's chain head at one common log index (those must all be equal);
     *                     {@code null} on a single server
     */
    public record Verify(
            boolean ok,
            long asOf,
            long transactions,
            int accounts,
            List<String> problems,
            long millis,
            long events,
            String head,
            List<Replica> replicas) {
        /** A single server's verify, as before clusters: no chain head reported, no replicas. */
        public Verify(
                boolean ok,
                long asOf,
                long transactions,
                int accounts,
                List<String> problems,
                long millis,
                long events) {
            this(ok, asOf, transactions, accounts, problems, millis, events, null, null);
        }
    }

    /**
     * One node's place in the replicated log, in {@code cluster} and in a cluster's {@code verify}.
     *
     * @param node     the node's id ({@code n1})
     * @param address  its Raft address ({@code 127.0.0.1:9871})
     * @param reachable whether it answered; when not, {@code problem} says why and the numbers are 0
     * @param role     {@code LEADER}, {@code FOLLOWER}, {@code CANDIDATE}, or {@code LISTENER}
     * @param term     its current Raft term
     * @param applied  the last log index its ledger applied
     * @param seq      the ledger's last transaction number at {@code applied}
     * @param head     the hash chain's head at {@code seq} (hex), equal on every node at the same {@code applied}
     * @param problem  why the node could not answer, or {@code null}
     */
    public record Replica(
            String node,
            String address,
            boolean reachable,
            String role,
            long term,
            long applied,
            long seq,
            String head,
            String problem) {}

    /**
     * cluster: every node of a replicated bank, as the node that answered sees them.
     *
     * @param answeredBy the id of the node that answered
     * @param leader     the id of the leader it knows, or {@code null} while there is none
     * @param nodes      each node, in the order of the cluster's configuration
     */
    public record Cluster(String answeredBy, String leader, List<Replica> nodes) {}

    /**
     * One security event, in show_security_events: {@code event} is its number in the trail (1, 2, 3...),
     * {@code repeated} how many occurrences it stands for (more than 1 when a flood was aggregated).
     */
    public record SecurityEvent(
            long event, String time, String kind, String user, String address, String detail, int repeated) {}

    /** show_security_events. */
    public record SecurityEvents(List<SecurityEvent> entries, Long next) {}
}
