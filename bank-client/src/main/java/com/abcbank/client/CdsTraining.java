package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ServerFinalMessage;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.exception.ScramException;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The training run of the client's class-data-sharing archive: not a command. bank-client's {@code package} step
 * runs it once as {@code java -XX:ArchiveClassesAtExit=target/bank-client.jsa.tmp -cp target/bank-client.jar
 * com.abcbank.client.CdsTraining}, the JVM writes every class it loaded, already parsed and verified,  at its exit, and
 * {@code CdsTraining install} moves that to {@code target/bank-client.jsa}, which {@code scripts/client} maps at start (docs/performance.md, "The one-shot client").
 *
 * <p>What it loads is what a one-shot command loads: each command line parsed as {@code main}
 * parses it ({@link CommandTree#forArgs}), the help and a usage error worded, each command's request encoded and
 * sent over a loopback socket to a stand-in in this process, which answers from canned replies made with the real
 * protocol classes, and each reply decoded and printed as text and as {@code --json}. It needs no server, no
 * network beyond 127.0.0.1, and no file (the environment it passes the client is empty); it prints nothing and
 * exits 0, or throws, which fails the build: a change that breaks it is caught there and by
 * {@code CdsTrainingTest}.
 *
 * <p>The login is played apart, both halves in this process ({@link #scram}): a login with saved keys, as a one-shot
 * command after enrolment does it, so the SCRAM classes come from the archive too.
 */
final class CdsTraining {
    private static final String TIME = "2026-12-02T10:00:00.123456789Z";
    private static final int TIMEOUT_MS = 10_000;

    /** A command line and the result its canned reply carries. */
    private record Exercise(String line, Object result) {}

    private CdsTraining() {}

    /**
     * With no arguments, the training. With {@code install TRAINED ARCHIVE}, the step after it: renames the archive
     * the JVM wrote at the training's exit to its final name, in one atomic move, so that {@code scripts/client}
     * never maps a half-written archive (the JVM can crash on a truncated one, where it refuses a foreign one).
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("install")) {
            Files.move(
                    Path.of(args[1]),
                    Path.of(args[2]),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        if (args.length != 0) {
            throw new IllegalArgumentException("usage: CdsTraining [install TRAINED ARCHIVE]");
        }
        StringWriter sink = new StringWriter();
        run(new PrintWriter(sink, true));
    }

    /** Runs the training, printing what the commands print into {@code out}. */
    static void run(PrintWriter out) throws IOException, InterruptedException {
        words(out);
        scram(out);
        List<Exercise> exercises = exercises();
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < exercises.size(); i++) {
            replies.add(Json.write(
                    Reply.success(Json.tree(i + 1L), Json.tree(exercises.get(i).result()))));
        }
        // One refusal, as a refused command reads and words it.
        replies.add(Json.write(
                Reply.failure(Json.tree(exercises.size() + 1L), new Failure(ErrorCode.INSUFFICIENT_FUNDS, "no"))));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(TIMEOUT_MS);
            CompletableFuture<Void> standIn = CompletableFuture.runAsync(() -> answer(server, replies));
            try (BankConnection bank = BankConnection.open(
                    server.getInetAddress().getHostAddress(), server.getLocalPort(), TIMEOUT_MS, TIMEOUT_MS)) {
                RetryingConnection connection = new RetryingConnection(
                        bank,
                        () -> {
                            throw new IllegalStateException("the training's connection broke");
                        },
                        out);
                for (Exercise exercise : exercises) {
                    exercise(connection, exercise.line(), out);
                }
                Reply refused = connection.call(new com.abcbank.protocol.Request.Balance("1001"), "balance");
                out.println(ClientException.refused(refused.error()).getMessage());
            }
            standIn.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("the training's stand-in server failed", e);
        }
    }

    /**
     * A SCRAM-SHA-256 login with saved keys, both halves played here (the server's by the library's functions):
     * what a one-shot command's login loads, the keys' decoding, the messages, SASLprep and the HMACs.
     */
    private static void scram(PrintWriter out) throws IOException {
        Scram.ClientKeys keys = Scram.ClientKeys.decode(
                        Scram.newKeys("training-secret".toCharArray(), Scram.MIN_ITERATIONS)
                                .encode())
                .orElseThrow();
        Scram.ClientExchange exchange = Scram.ClientExchange.withKeys("Alice", keys, null);
        try {
            ClientFirstMessage first = ClientFirstMessage.parseFrom(exchange.clientFirst());
            ServerFirstMessage serverFirst = new ServerFirstMessage(
                    first.getClientNonce(), "training-nonce", Scram.base64(keys.salt()), keys.iterations());
            String clientFinal = exchange.clientFinal(serverFirst.toString());
            String authMessage = ScramFunctions.authMessage(first, serverFirst, null);
            exchange.checkServerFinal(new ServerFinalMessage(
                            ScramFunctions.serverSignature(Scram.MECHANISM, keys.serverKey(), authMessage))
                    .toString());
            out.println(Json.writeRequest(2, new com.abcbank.protocol.Request.LoginFinal(clientFinal)));
        } catch (ScramException e) {
            throw new IOException("the training's SCRAM login failed", e);
        }
    }

    /** The client's words that need no server: the help, a command's help, a usage error. */
    private static void words(PrintWriter out) {
        for (String line : List.of("--help", "Alice balance --help", "Alice balnce 1001", "--version")) {
            CommandLine commandLine = CommandTree.forArgs(client(), line.split(" "));
            commandLine.setOut(out);
            commandLine.setErr(out);
            var unused = commandLine.execute(line.split(" "));
        }
    }

    /** Parses {@code line} as main would, sends the command's request, and prints the reply as text and as JSON. */
    private static void exercise(RetryingConnection connection, String line, PrintWriter out) {
        String[] args = line.split(" ");
        ParseResult parsed = CommandTree.forArgs(client(), args).parseArgs(args);
        Operation<?> operation =
                (Operation<?>) parsed.subcommand().commandSpec().userObject();
        Reply reply = connection.call(
                operation.request(), parsed.subcommand().commandSpec().name());
        print(operation, reply, out);
        out.println(reply.prettyResult());
    }

    private static <R> void print(Operation<R> operation, Reply reply, PrintWriter out) {
        operation.print(out, List.of(operation.result(reply)));
    }

    private static BankCli client() {
        return new BankCli(Map.of(), new ByteArrayInputStream(new byte[0]), Path.of("."), TIMEOUT_MS, TIMEOUT_MS);
    }

    /** The stand-in: one connection, one canned reply per request line, in order. */
    private static void answer(ServerSocket server, List<String> replies) {
        try (Socket socket = server.accept();
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8)) {
            socket.setSoTimeout(TIMEOUT_MS);
            for (String reply : replies) {
                if (in.readLine() == null) {
                    throw new IOException("the training's client closed the connection early");
                }
                out.write(reply + "\n");
                out.flush();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String HEAD = "3fa2c1d0e9b7" + "0".repeat(52);

    private static Result.Replica replica(String node, String role) {
        return new Result.Replica(node, "127.0.0.1:9871", true, role, 2, 9, 4, HEAD, null);
    }

    private static List<Exercise> exercises() {
        Result.Account checking = new Result.Account("1001", "CHECKING", "Alice", TIME, 70_000, null);
        Result.Account loan = new Result.Account("L100001", "LOAN", "Alice", TIME, -100_000, 100_000L);
        Result.Tx deposit =
                new Result.Tx(2, TIME, "DEPOSIT", 20_000, "1001", 70_000L, null, null, null, null, null, null);
        Result.Tx transfer =
                new Result.Tx(3, TIME, "TRANSFER", 5_000, null, null, "1001", 65_000L, "2001", 15_000L, null, null);
        Result.Tx loanTx = new Result.Tx(
                4, TIME, "APPLY_LOAN", 100_000, "1001", 165_000L, null, null, null, null, "L100001", 100_000L);
        Result.Entry entry = new Result.Entry(2, TIME, "DEPOSIT", "Alice", 20_000, null, 70_000);
        Result.Transaction transaction = new Result.Transaction(
                3,
                TIME,
                "TRANSFER",
                "Alice",
                null,
                List.of(new Result.Posting("1001", -5_000, 65_000), new Result.Posting("2001", 5_000, 15_000)),
                "k-1");
        return List.of(
                new Exercise("Alice balance 1001", checking),
                new Exercise("--json Alice balance L100001", loan),
                new Exercise("Alice create_account 1001 500", deposit),
                new Exercise("Alice deposit 1001 200", deposit),
                new Exercise("Alice withdraw 1001 19.99", deposit),
                new Exercise("Alice transfer 1001 2001 50 --key k-1", transfer),
                new Exercise("Alice apply_loan 1001 1,000.00", loanTx),
                new Exercise("Alice pay_loan_check L100001 100", loanTx),
                new Exercise("Alice pay_loan_transfer 1001 L100001 100", loanTx),
                new Exercise("Alice history 1001 --limit 20", new Result.History("1001", List.of(entry), null)),
                new Exercise(
                        "Audit show_accountholders",
                        new Result.Holders(List.of(new Result.Holder("Alice", List.of(checking, loan))))),
                new Exercise("Audit show_history --account 1001", new Result.Transactions(List.of(transaction), null)),
                new Exercise(
                        "Audit report",
                        new Result.Report(
                                0,
                                true,
                                4,
                                4,
                                1,
                                Map.of("checking", 165_000L, "loan", -100_000L, "internal", -65_000L),
                                Map.of("checking", 1, "loan", 1, "internal", 1),
                                100_000,
                                List.of())),
                new Exercise("Audit verify", new Result.Verify(true, 4, 4, 3, List.of(), 12, 1)),
                new Exercise(
                        "Audit verify",
                        new Result.Verify(true, 4, 4, 3, List.of(), 12, 1, HEAD, List.of(replica("n1", "LEADER")))),
                new Exercise(
                        "Audit cluster",
                        new Result.Cluster("n1", "n1", List.of(replica("n1", "LEADER"), replica("n2", "FOLLOWER")))));
    }
}
