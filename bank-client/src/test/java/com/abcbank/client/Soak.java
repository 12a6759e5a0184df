package com.abcbank.client;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * scripts/soak.sh's load and fault driver: for N minutes, against a running server, normal customers doing
 * operations alongside every fault the server must shrug off ({@link SoakFaults}); once a minute the auditor's
 * {@code verify} and {@code report}, and the server's heap after a full GC ({@code jcmd}); at the end a table and a
 * verdict. Exit 0 if every verify passed, the books balanced, the login flood was throttled, nothing was answered
 * with an internal or storage error, and the server is alive; else 1 (2 on a usage error).
 *
 * <p>Usage: {@code Soak --port P --audit-password-file F --server-pid PID [--minutes 3] [--customers 4] [--rate 50]}
 *
 * <p>Every connection is authenticated through {@link #logIn} (and customers are enrolled through {@link
 * #register}): the only two places that know how a client authenticates, so that a change of login (SCRAM) is made
 * there alone. Everything else is the protocol's requests and raw bytes.
 */
final class Soak {
    static final String HOST = "127.0.0.1";
    static final int CONNECT_TIMEOUT_MS = 5_000;
    static final int REPLY_TIMEOUT_MS = 30_000;

    final int port;
    final String auditPassword;
    final long serverPid;
    final int minutes;
    final int customers;
    /** Requests a second per customer. */
    final int rate;

    final SoakTally tally = new SoakTally();
    /** When the workers stop ({@link System#nanoTime}). */
    final long endNanos;

    private Soak(int port, String auditPassword, long serverPid, int minutes, int customers, int rate) {
        this.port = port;
        this.auditPassword = auditPassword;
        this.serverPid = serverPid;
        this.minutes = minutes;
        this.customers = customers;
        this.rate = rate;
        this.endNanos = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path auditPasswordFile = null;
        long pid = 0;
        int minutes = 3;
        int customers = 4;
        int rate = 50;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--audit-password-file" -> auditPasswordFile = Path.of(args[i + 1]);
                case "--server-pid" -> pid = Long.parseLong(args[i + 1]);
                case "--minutes" -> minutes = Integer.parseInt(args[i + 1]);
                case "--customers" -> customers = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (port <= 0
                || auditPasswordFile == null
                || pid <= 0
                || minutes < 1
                || customers < 2
                || args.length % 2 != 0) {
            usage("--port, --audit-password-file and --server-pid are required; --minutes >= 1, --customers >= 2");
        }
        String password = Files.readAllLines(auditPasswordFile, StandardCharsets.UTF_8)
                .get(0)
                .strip();
        System.exit(new Soak(port, password, pid, minutes, customers, rate).run());
    }

    private static void usage(String why) {
        System.err.println("soak: " + why);
        System.err.println(
                "usage: Soak --port P --audit-password-file F --server-pid PID [--minutes 3] [--customers 4] [--rate 50]");
        System.exit(2);
    }

    // ---------------------------------------------------------------- authentication: the only two methods

    /**
     * Logs {@code bank} in as {@code user}, through bank-client's own login: {@code null} if it is, else the code of
     * the refusal (BAD_CREDENTIALS, THROTTLED, ...). A broken connection throws {@link BankConnection.Lost}.
     */
    static String logIn(BankConnection bank, String user, String password) {
        try {
            bank.login(user, password);
            return null;
        } catch (BankConnection.Lost e) {
            throw e;
        } catch (ClientException e) {
            return codeOf(e);
        }
    }

    /** Enrols {@code user}, which also logs {@code bank} in: {@code null} if done, else the refusal's code. */
    static String register(BankConnection bank, String user, String password) {
        // The verifier of the password, at the least stretching the server takes: logins are load here, not defence.
        Reply reply = bank.call(new Request.Register(
                user,
                Scram.newKeys(password.toCharArray(), Scram.MIN_ITERATIONS).verifier()));
        return reply.ok() ? null : reply.error().code().name();
    }

    /** The error code a refusal's message starts with ({@code THROTTLED: try again in 3 s}). */
    private static String codeOf(ClientException e) {
        Matcher code = Pattern.compile("^([A-Z_]+):").matcher(String.valueOf(e.getMessage()));
        return code.find() ? code.group(1) : "REFUSED";
    }

    // ---------------------------------------------------------------- connections

    /** A new connection, not logged in. */
    BankConnection open() {
        return BankConnection.open(HOST, port, CONNECT_TIMEOUT_MS, REPLY_TIMEOUT_MS);
    }

    /** A raw socket, not logged in. */
    Socket rawSocket() throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(REPLY_TIMEOUT_MS);
        socket.connect(new InetSocketAddress(HOST, port), CONNECT_TIMEOUT_MS);
        return socket;
    }

    /** A raw socket logged in as {@code user} (through {@link #logIn}), for faults written byte by byte. */
    Socket authenticatedSocket(String user, String password) throws IOException {
        Socket socket = rawSocket();
        try {
            BankConnection bank =
                    new BankConnection(HOST + ":" + port, socket.getInputStream(), socket.getOutputStream(), socket);
            String refused = logIn(bank, user, password);
            if (refused != null) {
                throw new IOException("login of " + user + " refused: " + refused);
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    boolean running() {
        return System.nanoTime() < endNanos;
    }

    boolean serverAlive() {
        return ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false);
    }

    // ---------------------------------------------------------------- the run

    private int run() throws Exception {
        List<SoakCustomer> bank = new ArrayList<>();
        for (int i = 0; i < customers; i++) {
            bank.add(new SoakCustomer(this, i, customers));
        }
        for (SoakCustomer customer : bank) {
            customer.openAccounts();
        }
        List<Thread> workers = new ArrayList<>();
        for (SoakCustomer customer : bank) {
            workers.add(start("customer-" + customer.index, customer::run));
        }
        SoakFaults faults = new SoakFaults(this, bank.get(0));
        workers.add(start("half-lines", faults::halfLines));
        workers.add(start("bad-lines", faults::badLines));
        workers.add(start("slow-1", faults::slowClients));
        workers.add(start("slow-2", faults::slowClients));
        workers.add(start("login-flood-1", faults::loginFlood));
        workers.add(start("login-flood-2", faults::loginFlood));
        long started = System.nanoTime();
        List<SoakTally.Minute> rows = new ArrayList<>();
        for (int minute = 1; minute <= minutes && serverAlive(); minute++) {
            long due = started + TimeUnit.MINUTES.toNanos(minute);
            if (minute == minutes) {
                for (Thread worker : workers) {
                    worker.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, due - System.nanoTime())) + 60_000);
                }
            } else {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime())); // pacing: one sample a minute
            }
            rows.add(sample(minute));
            System.err.println("soak: " + rows.get(rows.size() - 1).line());
        }
        return SoakTally.report(rows, serverAlive(), tally.throttledEver(), System.out);
    }

    private static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, "soak-" + name);
        thread.setDaemon(true); // a stuck worker must not keep the driver alive past its report
        thread.start();
        return thread;
    }

    /** The minute's figures: what the workers did, the auditor's verify and report, the heap after a full GC. */
    private SoakTally.Minute sample(int minute) {
        SoakTally.Counts counts = tally.take();
        String verify;
        String books;
        try (BankConnection auditor = open()) {
            String refused = logIn(auditor, "Audit", auditPassword);
            if (refused != null) {
                verify = "auditor login refused: " + refused;
                books = "?";
            } else {
                verify = verify(auditor.call(new Request.Verify()));
                books = books(auditor.call(new Request.Report()));
            }
        } catch (RuntimeException e) {
            verify = "failed: " + e.getMessage();
            books = "?";
        }
        return new SoakTally.Minute(minute, counts, heapAfterGcBytes(), verify, books);
    }

    private static String verify(Reply reply) {
        if (!reply.ok()) {
            return "refused: " + reply.error().code();
        }
        Result.Verify verified = reply.resultAs(Result.Verify.class);
        return verified.ok()
                ? String.format(Locale.ROOT, "ok (%d tx, %d ms)", verified.transactions(), verified.millis())
                : "FAILED: " + verified.problems();
    }

    private static String books(Reply reply) {
        if (!reply.ok()) {
            return "refused: " + reply.error().code();
        }
        Result.Report report = reply.resultAs(Result.Report.class);
        return report.sum() == 0 && report.balanced() ? "sum 0" : "OFF: sum " + report.sum();
    }

    /** The server's heap in use right after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), or -1. */
    private long heapAfterGcBytes() {
        try {
            jcmd("GC.run");
            Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd("GC.heap_info"));
            return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
        } catch (IOException e) {
            System.err.println("soak: jcmd failed: " + e.getMessage());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("jcmd", Long.toString(serverPid), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd " + command + ": " + out.strip());
        }
        return out;
    }
}
