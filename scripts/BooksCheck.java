// Proves the books from the Audit view, independently of the server's own arithmetic.
//
//   java -cp bank-client/target/bank-client.jar scripts/BooksCheck.java HOST PORT AUDIT_PASSWORD_FILE
//
// Logs in as Audit, reads the report, every account holder and the whole journal (show_history, paged), then
// checks: the report says the bank sums to 0; the holders' balances plus the vault shards sum to 0; every
// transaction's postings sum to 0; sequence numbers run 1..n without gaps; and each account's balance equals
// a recount of its postings in the journal, as does each posting's balance-after. Prints what it checked and
// exits 1 if anything is off. A single-file program (JEP 330) so the scripts need nothing but a JDK.

import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.fasterxml.jackson.databind.node.LongNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

class BooksCheck {
    private static BufferedReader in;
    private static Writer out;
    private static long nextId = 1;
    private static int problems = 0;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: BooksCheck HOST PORT AUDIT_PASSWORD_FILE");
            System.exit(2);
        }
        String password = Files.readAllLines(Path.of(args[2])).get(0).strip();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 5_000);
            socket.setSoTimeout(60_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            // SCRAM-SHA-256: the password never crosses the wire, and the server's signature is checked.
            Reply login = Scram.login(BooksCheck::send, Scram.ClientExchange.withPassword("Audit", password.toCharArray()));
            if (!login.ok()) {
                throw new IllegalStateException("the auditor's login was refused: " + login.error());
            }
            long started = System.nanoTime();

            Map<String, Long> recount = new HashMap<>();
            long transactions = 0;
            long lastSeq = 0;
            Long after = 0L;
            while (after != null) {
                Result.Transactions page = call(new Request.ShowHistory(after, 1000, null, null, null, null),
                        Result.Transactions.class);
                for (Result.Transaction tx : page.entries()) {
                    transactions++;
                    if (tx.tx() != lastSeq + 1) {
                        problem("sequence gap: tx " + tx.tx() + " follows tx " + lastSeq);
                    }
                    lastSeq = tx.tx();
                    long sum = 0;
                    for (Result.Posting posting : tx.postings()) {
                        sum += posting.amount();
                        long balance = recount.merge(posting.account(), posting.amount(), Long::sum);
                        if (balance != posting.balance()) {
                            problem("tx " + tx.tx() + ": " + posting.account() + " balance after is " + posting.balance()
                                    + ", recount says " + balance);
                        }
                    }
                    if (sum != 0) {
                        problem("tx " + tx.tx() + " postings sum to " + sum);
                    }
                }
                after = page.next();
            }

            Result.Report report = call(new Request.Report(), Result.Report.class);
            Result.Holders holders = call(new Request.ShowAccountholders(), Result.Holders.class);
            if (report.sum() != 0 || !report.balanced()) {
                problem("report: the bank sums to " + report.sum() + " cents, not 0");
            }
            long sum = 0;
            int accounts = 0;
            for (Result.Holder holder : holders.holders()) {
                for (Result.Account account : holder.accounts()) {
                    accounts++;
                    sum += account.balance();
                    compare(account, recount);
                }
            }
            for (Result.Account vault : report.internal()) {
                sum += vault.balance();
                compare(vault, recount);
            }
            if (sum != 0) {
                problem("holders and vault sum to " + sum + " cents, not 0");
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("books: %d transactions replayed (postings sum to 0 each, sequence 1..%d without gaps)%n",
                    transactions, lastSeq);
            System.out.printf("books: %d customer accounts and %d vault shards recounted from show_history: %s%n",
                    accounts, report.internal().size(), problems == 0 ? "all equal" : "MISMATCH");
            System.out.printf("books: the whole bank sums to %d cents (report: %d, balanced=%s); checked in %d ms%n",
                    sum, report.sum(), report.balanced(), tookMs);
        }
        if (problems > 0) {
            System.out.println("books: " + problems + " PROBLEMS");
            System.exit(1);
        }
        System.out.println("books: OK");
    }

    private static void compare(Result.Account account, Map<String, Long> recount) {
        long recounted = recount.getOrDefault(account.account(), 0L);
        if (recounted != account.balance()) {
            problem("account " + account.account() + ": balance " + account.balance() + ", recount " + recounted);
        }
    }

    private static Reply send(Request request) throws java.io.IOException {
        out.write(Json.writeRequest(LongNode.valueOf(nextId++), request) + "\n");
        out.flush();
        String line = in.readLine();
        if (line == null) {
            throw new IllegalStateException("the server closed the connection");
        }
        return Json.parseReply(line);
    }

    private static <T> T call(Request request, Class<T> resultType) throws Exception {
        Reply reply = send(request);
        if (!reply.ok()) {
            throw new IllegalStateException(request.getClass().getSimpleName() + " refused: " + reply.error());
        }
        return Json.convert(reply.result(), resultType);
    }

    private static void problem(String message) {
        problems++;
        if (problems <= 20) {
            System.out.println("books: PROBLEM: " + message);
        }
    }
}
