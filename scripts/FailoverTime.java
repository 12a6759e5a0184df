import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One failover, timed: {@code java -cp bank-client.jar scripts/FailoverTime.java SERVERS AUDIT_PASSWORD_FILE
 * n1=PID,n2=PID,n3=PID}. SERVERS is the nodes' client addresses in the order of their ids (n1 first). It asks a
 * node which one leads, keeps one customer depositing a cent at a time through another node (each request with
 * its own key, sent again with the same key after CLUSTER_UNAVAILABLE), kills the leader's process (and those under
 * it) with SIGKILL after 50 acknowledged deposits, and prints {@code killed=nK failover_ms=N}: the time from its death
 * (the signal; the deposits go on only once every killed process has exited) to the acknowledgement of the first
 * deposit sent after it, which only a new leader can have committed. Exit 1 if no deposit is
 * acknowledged within 60 s of the kill. Used by scripts/bench_compare.sh; it starts and restarts nothing itself.
 */
class FailoverTime {
    private static final long GIVE_UP_MS = 60_000;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: FailoverTime HOST:PORT,HOST:PORT,HOST:PORT AUDIT_PASSWORD_FILE n1=PID,...");
            System.exit(2);
        }
        String[] servers = args[0].split(",", -1);
        String auditPassword = Files.readAllLines(Path.of(args[1])).get(0).strip();
        Map<String, Long> pids = new HashMap<>();
        for (String pair : args[2].split(",", -1)) {
            String[] kv = pair.split("=", 2);
            pids.put(kv[0], Long.parseLong(kv[1]));
        }
        String leader;
        try (Line audit = Line.open(servers[0])) {
            audit.login("Audit", auditPassword.toCharArray());
            Result.Cluster cluster = audit.ok(new Request.Cluster(), Result.Cluster.class);
            leader = cluster.leader();
        }
        if (leader == null || !pids.containsKey(leader)) {
            System.err.println("FailoverTime: no leader known, or no PID for it: " + leader);
            System.exit(1);
        }
        int leaderIndex = Integer.parseInt(leader.substring(1)) - 1;
        String survivor = servers[(leaderIndex + 1) % servers.length];
        String user = "ft" + UUID.randomUUID().toString().substring(0, 8);
        // Account numbers are the bank's, not the user's: a fresh one per run, so rounds on one cluster do not collide.
        String account = "9" + (10_000_000L + Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 89_999_999L));
        char[] password = UUID.randomUUID().toString().toCharArray();
        try (Line customer = Line.open(survivor)) {
            customer.ok(new Request.Register(user, Scram.newKeys(password, Scram.MIN_ITERATIONS).verifier()),
                    Result.User.class);
            customer.ok(new Request.CreateAccount(account, 0L, user + "-open"), Result.Tx.class);
            for (int i = 0; i < 50; i++) {
                customer.deposit(account, user + "-" + i);
            }
            long killedAt = kill(pids.get(leader));
            for (int i = 50; ; i++) {
                long sent = System.nanoTime();
                customer.deposit(account, user + "-" + i);
                if (sent >= killedAt) {
                    System.out.printf("killed=%s failover_ms=%d%n", leader, (System.nanoTime() - killedAt) / 1_000_000);
                    return;
                }
                if ((System.nanoTime() - killedAt) / 1_000_000 > GIVE_UP_MS) {
                    System.err.println("FailoverTime: no deposit acknowledged within " + GIVE_UP_MS + " ms");
                    System.exit(1);
                }
            }
        }
    }

    /**
     * SIGKILL to {@code pid} and every process under it (a launcher such as {@code timeout} may stand between the
     * PID a script knows and the JVM), then waits until all have exited. Returns the time of death, as {@link
     * System#nanoTime}: when the signals were sent, since a process runs no more once SIGKILL is sent, rather than
     * when {@code onExit} completes (for a process that is not this JVM's child the JDK learns of its end later, some
     * 10 to 20 ms here, and that would not count against the failover).
     */
    private static long kill(long pid) throws Exception {
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        java.util.List<ProcessHandle> all = new java.util.ArrayList<>(root.descendants().toList());
        all.add(root);
        all.forEach(ProcessHandle::destroyForcibly); // SIGKILL on Linux
        long killedAt = System.nanoTime();
        for (ProcessHandle process : all) {
            process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        return killedAt;
    }

    /** One connection, one request at a time. */
    private static final class Line implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;
        private long id;

        private Line(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
        }

        static Line open(String hostPort) throws IOException {
            int colon = hostPort.lastIndexOf(':');
            Socket socket = new Socket();
            socket.connect(
                    new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                    5_000);
            socket.setSoTimeout((int) GIVE_UP_MS);
            return new Line(socket);
        }

        Reply call(Request request) throws IOException {
            out.write((Json.writeRequest(++id, request) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the node closed the connection");
            }
            return Json.parseReply(line);
        }

        <T> T ok(Request request, Class<T> type) throws IOException {
            Reply reply = call(request);
            if (!reply.ok()) {
                throw new IOException(request + " refused: " + reply.error());
            }
            return reply.resultAs(type);
        }

        void login(String user, char[] password) throws Exception {
            Reply reply = Scram.login(this::call, Scram.ClientExchange.withPassword(user, password));
            if (!reply.ok()) {
                throw new IOException("login refused: " + reply.error());
            }
        }

        /** A one-cent deposit with {@code key}, sent again (same key) while the cluster answers it is unavailable. */
        void deposit(String account, String key) throws IOException {
            while (true) {
                Reply reply = call(new Request.Deposit(account, 1L, key));
                if (reply.ok()) {
                    return;
                }
                if (reply.error().code() != ErrorCode.CLUSTER_UNAVAILABLE) {
                    throw new IOException("deposit refused: " + reply.error());
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
