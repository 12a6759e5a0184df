package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --servers}: a request that one node cannot answer goes, the same record with the same key, to the next, in
 * bounded rounds; against fake nodes on 127.0.0.1 that break, refuse or answer as each test scripts them.
 */
@Timeout(30)
class FailoverTest {
    private static final String TIME = "2026-12-02T10:00:00Z";
    private static final Result.Tx TRANSFERRED =
            new Result.Tx(7, TIME, "TRANSFER", 5_000, null, null, "1001", 45_000L, "2001", 15_000L, null, null);

    @TempDir
    Path home;

    /** Bound and never listening: connecting to any of these is refused at once (see FakeBankServer.closedPort). */
    private static final List<Socket> HELD = new ArrayList<>();

    @AfterAll
    static void release() throws IOException {
        for (Socket socket : HELD) {
            socket.close();
        }
    }

    private static int closedPort() throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        HELD.add(socket);
        return socket.getLocalPort();
    }

    private Map<String, String> env(String servers) {
        Map<String, String> env = new HashMap<>();
        env.put("BANK_SERVERS", servers);
        env.put("BANK_PASSWORD", "pw");
        env.put("BANK_CREDENTIALS", home.resolve("credentials").toString());
        return env;
    }

    private static String servers(int... ports) {
        return IntStream.of(ports).mapToObj(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** Logs anyone in; answers the rest with {@code answer}. */
    private static Function<Request, Object> bank(Function<Request, Object> answer) {
        return request -> request instanceof Request.Login login
                ? new Result.User(login.user(), "CUSTOMER")
                : answer.apply(request);
    }

    /** A node that logs the client in, reads one request, and closes the connection without an answer. */
    private static FakeBankServer.Script breaksAfterTheRequest() {
        return (in, out) -> {
            FakeBankServer.logIn(in, out, bank(r -> null));
            assertNotNull(in.next(), "the request never came");
        };
    }

    /** A node that logs in and answers every request with {@code code}. */
    private static FakeBankServer.Script refusing(ErrorCode code) {
        return FakeBankServer.answering(bank(r -> FakeBankServer.refuse(code, "not now")));
    }

    private static List<Request.Transfer> transfers(FakeBankServer server) throws InterruptedException {
        return server.requests().stream()
                .filter(Request.Transfer.class::isInstance)
                .map(Request.Transfer.class::cast)
                .toList();
    }

    @Test
    void aConnectionLostMidRequestIsSentToTheNextNodeWithTheSameKey() throws Exception {
        try (FakeBankServer first = new FakeBankServer(breaksAfterTheRequest());
                FakeBankServer second = new FakeBankServer(FakeBankServer.answering(bank(r -> TRANSFERRED)))) {
            CliRunner.Run run = CliRunner.run(
                    env(servers(first.port(), second.port())), home, "Alice", "transfer", "1001", "2001", "50");
            assertEquals(ExitCodes.OK, run.exitCode(), run.err());
            assertTrue(run.out().startsWith("Transferred 50.00"), run.out());
            String key = transfers(first).get(0).key();
            assertEquals(
                    List.of(key),
                    transfers(second).stream().map(Request.Transfer::key).toList());
            assertEquals(
                    "note: node 127.0.0.1:" + first.port() + " lost (127.0.0.1:" + first.port()
                            + " closed the connection); retrying transfer on 127.0.0.1:" + second.port()
                            + " with the same key " + key + "\n",
                    run.err());
        }
    }

    @Test
    void clusterUnavailableOnOneNodeThenSuccessOnTheNext() throws Exception {
        try (FakeBankServer first = new FakeBankServer(refusing(ErrorCode.CLUSTER_UNAVAILABLE));
                FakeBankServer second = new FakeBankServer(FakeBankServer.answering(bank(r -> TRANSFERRED)))) {
            CliRunner.Run run = CliRunner.run(
                    env(servers(first.port(), second.port())),
                    home,
                    "Alice",
                    "transfer",
                    "1001",
                    "2001",
                    "50",
                    "--key",
                    "k-42");
            assertEquals(ExitCodes.OK, run.exitCode(), run.err());
            assertEquals(
                    List.of("k-42"),
                    transfers(first).stream().map(Request.Transfer::key).toList());
            assertEquals(
                    List.of("k-42"),
                    transfers(second).stream().map(Request.Transfer::key).toList());
            assertTrue(
                    run.err()
                            .contains("answered CLUSTER_UNAVAILABLE (not now); retrying transfer on 127.0.0.1:"
                                    + second.port() + " with the same key k-42"),
                    run.err());
        }
    }

    @Test
    void aReadFailsOverWithoutAKeyAndLaterPagesStayOnTheNodeThatAnswered() throws Exception {
        Result.Account account = new Result.Account("1001", "CHECKING", "Alice", TIME, 50_000, null);
        try (FakeBankServer first = new FakeBankServer(refusing(ErrorCode.SHUTTING_DOWN));
                FakeBankServer second = new FakeBankServer(FakeBankServer.answering(bank(r -> account)))) {
            CliRunner.Run run =
                    CliRunner.run(env(servers(first.port(), second.port())), home, "Alice", "balance", "1001");
            assertEquals(ExitCodes.OK, run.exitCode(), run.err());
            assertTrue(run.out().contains("balance 500.00"), run.out());
            assertTrue(run.err().contains("retrying balance on 127.0.0.1:" + second.port() + "\n"), run.err());
            assertFalse(run.err().contains("key"), run.err());
        }
    }

    @Test
    void anUnreachableFirstNodeIsSkipped() throws Exception {
        int dead = closedPort();
        try (FakeBankServer alive = new FakeBankServer(FakeBankServer.answering(bank(r -> TRANSFERRED)))) {
            CliRunner.Run run =
                    CliRunner.run(env(servers(dead, alive.port())), home, "Alice", "transfer", "1001", "2001", "50");
            assertEquals(ExitCodes.OK, run.exitCode(), run.err());
            assertEquals(1, transfers(alive).size());
            assertTrue(
                    run.err().startsWith("note: node 127.0.0.1:" + dead + " unreachable (cannot connect"), run.err());
            assertTrue(run.err().contains("; trying transfer on 127.0.0.1:" + alive.port()), run.err());
        }
    }

    @Test
    void everyNodeFailingGivesUpAfterThreeRoundsNamingTheKey() throws Exception {
        FakeBankServer.Script unavailable = refusing(ErrorCode.CLUSTER_UNAVAILABLE);
        List<FakeBankServer> nodes = new ArrayList<>();
        try {
            for (int n = 0; n < 3; n++) {
                nodes.add(new FakeBankServer(unavailable, unavailable, unavailable)); // one connection per round
            }
            long start = System.nanoTime();
            CliRunner.Run run = CliRunner.run(
                    env(servers(nodes.stream().mapToInt(FakeBankServer::port).toArray())),
                    home,
                    "Alice",
                    "withdraw",
                    "1001",
                    "5",
                    "--key",
                    "k-lost");
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
            for (FakeBankServer node : nodes) {
                List<String> keys = node.requests().stream()
                        .filter(Request.Withdraw.class::isInstance)
                        .map(IdempotencyKeys::of)
                        .toList();
                assertEquals(List.of("k-lost", "k-lost", "k-lost"), keys, "one try per node per round");
            }
            assertTrue(
                    run.err()
                            .contains("error: outcome unknown: withdraw got no answer from any of the 3 servers in 3"
                                    + " rounds; last, node 127.0.0.1:"
                                    + nodes.get(2).port()
                                    + " answered CLUSTER_UNAVAILABLE (not now), so it may or may not have taken effect."
                                    + " Its key is k-lost: run the same command again with --key k-lost"),
                    run.err());
            assertTrue(run.err().contains("in round 1 of 3; trying them again in 200 ms"), run.err());
            assertTrue(run.err().contains("in round 2 of 3; trying them again in 400 ms"), run.err());
            assertTrue(tookMs >= 600, "the two backoffs were waited: " + tookMs + " ms");
            assertTrue(tookMs < 20_000, "within the bound: " + tookMs + " ms");
        } finally {
            for (FakeBankServer node : nodes) {
                node.close();
            }
        }
    }

    @Test
    void noNodeReachableSaysNothingHappened() throws IOException {
        CliRunner.Run run = CliRunner.run(
                env(servers(closedPort(), closedPort())), home, "Alice", "deposit", "1001", "5", "--key", "k-never");
        assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
        assertTrue(run.err().contains("error: deposit got no answer from any of the 2 servers in 3 rounds"), run.err());
        assertTrue(run.err().contains("It did not take effect: no node took it"), run.err());
        assertFalse(run.err().contains("outcome unknown"), run.err());
    }

    @Test
    void aLoginRefusedStopsAtOnceWithoutTryingTheOtherNodes() throws Exception {
        try (FakeBankServer first =
                        new FakeBankServer(FakeBankServer.answering(request -> request instanceof Request.Login
                                ? FakeBankServer.refuse(ErrorCode.BAD_CREDENTIALS, "unknown user or wrong password")
                                : TRANSFERRED));
                FakeBankServer second = new FakeBankServer(FakeBankServer.answering(bank(r -> TRANSFERRED)))) {
            CliRunner.Run run = CliRunner.run(
                    env(servers(first.port(), second.port())), home, "Alice", "transfer", "1001", "2001", "50");
            assertEquals(ExitCodes.AUTH, run.exitCode(), run.err());
            first.close();
            second.close();
            assertTrue(second.requestsSoFar().isEmpty(), "the second node was tried: " + second.requestsSoFar());
        }
    }

    @Test
    void keysEnrolledAtOneNodeLogInAtAnother() throws Exception {
        Map<String, String> env = env("unused");
        env.remove("BANK_PASSWORD"); // no password anywhere: register enrols Alice with new keys
        int dead = closedPort();
        Result.User alice = new Result.User("Failover-Alice", "CUSTOMER");
        int enrolledAt;
        try (FakeBankServer first = new FakeBankServer(FakeBankServer.answering(r -> alice))) {
            enrolledAt = first.port();
            env.put("BANK_SERVERS", servers(dead, first.port()));
            CliRunner.Run registered = CliRunner.run(env, home, "Failover-Alice", "register");
            assertEquals(ExitCodes.OK, registered.exitCode(), registered.err());
            assertTrue(registered.err().startsWith("note: node 127.0.0.1:" + dead + " unreachable"), registered.err());
            assertTrue(
                    registered.err().contains("registered Failover-Alice at 127.0.0.1:" + first.port()),
                    registered.err());
        }
        Result.Account account = new Result.Account("1001", "CHECKING", "Failover-Alice", TIME, 0, null);
        try (FakeBankServer other = new FakeBankServer(FakeBankServer.answering(bank(r -> account)))) {
            // The credentials file has a line for the node it enrolled at only: its keys are good at every node.
            env.put("BANK_SERVERS", servers(other.port(), enrolledAt));
            CliRunner.Run run = CliRunner.run(env, home, "Failover-Alice", "balance", "1001");
            assertEquals(ExitCodes.OK, run.exitCode(), run.err());
            assertEquals(List.of("registered"), other.loggedInWith());
        }
        String before = Files.readString(home.resolve("credentials"));
        Path newPassword = Files.writeString(home.resolve("new-password"), "a-new-password-1\n");
        try (FakeBankServer other = new FakeBankServer(FakeBankServer.answering(bank(r -> alice)))) {
            env.put("BANK_SERVERS", servers(other.port(), enrolledAt));
            CliRunner.Run run =
                    CliRunner.run(env, home, "Failover-Alice", "passwd", "--new-password-file", newPassword.toString());
            assertEquals(ExitCodes.OK, run.exitCode(), run.err());
            assertTrue(run.out().contains("Its new login keys replace the old secret"), run.out());
        }
        String after = Files.readString(home.resolve("credentials"));
        assertTrue(after.startsWith("127.0.0.1:" + enrolledAt + ":Failover-Alice:SCRAM-SHA-256$"), after);
        assertEquals(1, after.lines().count(), "replaced on the line it came from: " + after);
        assertFalse(after.equals(before), "the keys were not replaced");
    }

    @Test
    void theOptionWinsOverTheEnvironment() throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> TRANSFERRED)))) {
            Map<String, String> env = env(servers(closedPort()));
            CliRunner.Run run = CliRunner.run(
                    env,
                    home,
                    "--servers",
                    servers(server.port(), closedPort()),
                    "Alice",
                    "transfer",
                    "1001",
                    "2001",
                    "50");
            assertEquals(ExitCodes.OK, run.exitCode(), run.err());
            assertEquals("", run.err());
            assertEquals(1, transfers(server).size());
        }
    }

    @Test
    void hostAndPortOptionsWinOverBankServers() throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> TRANSFERRED)))) {
            CliRunner.Run run = CliRunner.run(
                    env(servers(closedPort())),
                    home,
                    "--port",
                    Integer.toString(server.port()),
                    "Alice",
                    "transfer",
                    "1001",
                    "2001",
                    "50");
            assertEquals(ExitCodes.OK, run.exitCode(), run.err());
            assertEquals(1, transfers(server).size());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "--servers 127.0.0.1:1,127.0.0.1:2 --host h Alice balance 1 | give --servers or --host/--port, not both",
                "--servers 127.0.0.1:1 --port 5050 Alice balance 1          | give --servers or --host/--port, not both",
                "--servers 127.0.0.1 Alice balance 1                        | --servers entries are HOST:PORT",
                "--servers 127.0.0.1:1,,127.0.0.1:2 Alice balance 1         | --servers entries are HOST:PORT, separated by commas: ''",
                "--servers :5050 Alice balance 1                            | --servers entries are HOST:PORT",
                "--servers a:1,a:1 Alice balance 1                          | --servers names a:1 twice",
                "--servers a:x Alice balance 1                              | --servers: not a port number: 'x' in 'a:x'",
                "--servers a:0 Alice balance 1                              | port must be 1 to 65535: 0",
                "--servers ::1:5050 Alice balance 1                         | --servers entries are HOST:PORT",
                "--servers a:1 bench --duration 1                           | give --servers or --host/--port, not both",
            })
    void badServersAreUsageErrors(String line, String reason) {
        String[] args = line.split(" ");
        if (line.contains("bench")) { // a --port of its own, so that the bench conflicts as the others do
            args = Stream.concat(Stream.of("--port", "5050"), Stream.of(args)).toArray(String[]::new);
        }
        CliRunner.Run run = CliRunner.run(Map.of(), home, args);
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: " + reason), run.err());
    }

    @Test
    void badBankServersIsAUsageError() {
        CliRunner.Run run = CliRunner.run(Map.of("BANK_SERVERS", "a:1,b"), home, "Alice", "balance", "1001");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: BANK_SERVERS entries are HOST:PORT"), run.err());
    }

    @Test
    void anIpv6AddressIsWrittenInBrackets() {
        List<Endpoint> parsed = Endpoint.parse("[::1]:5050,bank.example:6000", "--servers", null);
        assertEquals(List.of(new Endpoint("::1", 5050), new Endpoint("bank.example", 6000)), parsed);
    }

    @Test
    void theDeadlineEndsTheRoundsWithoutWaitingForIt() {
        List<Endpoint> servers = List.of(new Endpoint("a", 1), new Endpoint("b", 2), new Endpoint("c", 3));
        List<String> tried = new ArrayList<>();
        List<Long> waited = new ArrayList<>();
        long[] now = {0};
        FailoverConnection.Clock clock = new FailoverConnection.Clock() {
            @Override
            public long nanoTime() {
                return now[0];
            }

            @Override
            public void sleep(long ms) {
                waited.add(ms);
                now[0] += TimeUnit.MILLISECONDS.toNanos(ms);
            }
        };
        FailoverConnection.Connector refused = (server, mayEnrol) -> {
            tried.add(server.toString());
            throw new ClientException(ExitCodes.UNAVAILABLE, "cannot connect to " + server + ": Connection refused");
        };
        StringWriter err = new StringWriter();
        try (FailoverConnection bank = new FailoverConnection(
                servers,
                refused,
                false,
                new FailoverConnection.Policy(3, 200, 500),
                clock,
                new PrintWriter(err, true))) {
            ClientException e =
                    assertThrows(ClientException.class, () -> bank.call(new Request.Balance("1001"), "balance"));
            assertEquals(ExitCodes.UNAVAILABLE, e.exitCode);
            assertEquals(List.of("a:1", "b:2", "c:3", "a:1", "b:2", "c:3"), tried, "two rounds fit in 500 ms");
            assertEquals(List.of(200L), waited, "the 400 ms backoff would have ended past the deadline");
            assertTrue(e.getMessage().contains("in 2 rounds (the 500 ms deadline would pass"), e.getMessage());
        }
    }

    @Test
    void eachNodeOnceARoundAndEnrolmentOnlyUntilAConnection() {
        List<Endpoint> servers = List.of(new Endpoint("a", 1), new Endpoint("b", 2));
        List<String> tried = new ArrayList<>();
        FailoverConnection.Connector connector = (server, mayEnrol) -> {
            tried.add(server + (mayEnrol ? " enrol" : ""));
            throw new ClientException(ExitCodes.UNAVAILABLE, "down");
        };
        try (FailoverConnection bank = new FailoverConnection(
                servers,
                connector,
                true,
                new FailoverConnection.Policy(2, 0, 60_000),
                FailoverConnection.Clock.SYSTEM,
                new PrintWriter(new StringWriter(), true))) {
            ClientException e = assertThrows(
                    ClientException.class, () -> bank.call(new Request.Deposit("1001", 5, "k"), "deposit"));
            assertInstanceOf(ClientException.class, e.getCause());
            // Never connected, so each try may still enrol; each node once a round.
            assertEquals(List.of("a:1 enrol", "b:2 enrol", "a:1 enrol", "b:2 enrol"), tried);
        }
    }
}
