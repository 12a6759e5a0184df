package com.abcbank.client;

import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The soak's hostile clients, each a loop until the soak ends: requests cut off mid-line, bad lines (malformed JSON,
 * unknown ops, lines over the limit), clients that trickle a byte at a time or say nothing, and a flood of wrong
 * passwords. Each reply is counted by its code ({@link SoakTally}); a bad line answered {@code ok}, or a wrong
 * password let in, is counted as a failure. The pauses between faults pace them (a fault a few times a second, not
 * a busy loop on 2 shared cores); nothing waits for the server by sleeping.
 *
 * <p>scripts/soak.sh starts the server with short deadlines (2 s to finish a line, 3 s to log in) and lines of at
 * most {@link #MAX_LINE_BYTES}, so that each fault meets its limit within seconds.
 */
final class SoakFaults {
    static final int MAX_LINE_BYTES = 65_536;
    /** How long a fault client waits for the server to answer or close: well past every deadline the soak sets. */
    private static final int FAULT_READ_TIMEOUT_MS = 15_000;

    private static final String WRONG_PASSWORDS_FOR = "mallory";

    private final Soak soak;
    private final SoakCustomer victim;
    private final List<byte[]> badLines;

    /** Faults use {@code customer}'s login (theirs is a real account, so the bad lines reach the ledger's checks). */
    SoakFaults(Soak soak, SoakCustomer customer) {
        this.soak = soak;
        this.victim = customer;
        String mine = customer.account(1);
        String theirs = SoakCustomer.account(customer.index + 1, 1);
        this.badLines = List.of(
                ascii("{\"op\":"),
                ascii("not json"),
                ascii("{\"op\":\"steal\",\"account\":\"" + mine + "\"}"),
                ascii("{\"op\":\"deposit\",\"account\":\"" + mine + "\",\"amount\":12.5}"),
                ascii("{\"op\":\"deposit\",\"account\":\"" + mine + "\",\"amount\":1,\"amount\":100000000}"),
                ascii("{\"op\":\"transfer\",\"from\":\"" + mine + "\"}"),
                ascii("[\"op\",\"balance\"]"),
                ascii("{\"op\":\"balance\",\"account\":\"" + mine + "\",\"id\":{\"a\":1,\"a\":2}}"),
                ascii("{\"op\":\"withdraw\",\"account\":\"" + theirs + "\",\"amount\":1}"),
                ascii("{\"op\":\"deposit\",\"account\":\"" + mine + "\",\"amount\":-5}"),
                ascii("{\"op\":\"verify\"}"),
                withInvalidUtf8("{\"op\":\"balance\",\"account\":\"" + mine + "\"}"));
    }

    private static byte[] ascii(String line) {
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] withInvalidUtf8(String line) {
        byte[] bytes = ascii(line);
        byte[] bad = Arrays.copyOf(bytes, bytes.length + 2);
        bad[bytes.length] = (byte) 0xC3; // a lead byte, then no continuation
        bad[bytes.length + 1] = (byte) '(';
        return bad;
    }

    /** Requests cut off mid-line and then closed, or sent whole and closed before the reply. */
    void halfLines() {
        Random random = new Random(101);
        long n = 0;
        while (soak.running()) {
            byte[] line = ascii("{\"op\":\"transfer\",\"from\":\"" + victim.account(1) + "\",\"to\":\""
                    + victim.account(2) + "\",\"amount\":1,\"key\":\"half-" + n++ + "\"}\n");
            boolean whole = random.nextInt(4) == 0;
            try (Socket socket = soak.authenticatedSocket(victim.user, victim.password)) {
                socket.getOutputStream().write(line, 0, whole ? line.length : 1 + random.nextInt(line.length - 2));
                socket.getOutputStream().flush();
                soak.tally.fault(whole ? "closed before its reply" : "half a line");
            } catch (IOException | ClientException e) {
                if (failed("half-lines", e)) {
                    return;
                }
            }
            pause(50);
        }
    }

    /** Lines the server must refuse, on one connection; now and then a line over the limit, which closes it. */
    void badLines() {
        Random random = new Random(202);
        while (soak.running()) {
            try (Socket socket = soak.authenticatedSocket(victim.user, victim.password)) {
                socket.setSoTimeout(FAULT_READ_TIMEOUT_MS);
                OutputStream out = socket.getOutputStream();
                while (soak.running()) {
                    boolean overLong = random.nextInt(40) == 0;
                    byte[] line = overLong ? overLongLine() : badLines.get(random.nextInt(badLines.size()));
                    if (!send(out, line) && overLong) {
                        // The server stops reading at the limit, answers and closes: the rest of our line meets a
                        // closed socket. Expected; counted apart from a real connection failure.
                        soak.tally.fault("line over the limit");
                        soak.tally.fault("closed while a line over the limit was sent");
                        break;
                    }
                    String code = readReplyCode(socket.getInputStream());
                    soak.tally.reply(code == null ? "ACCEPTED_A_BAD_LINE" : code);
                    if (overLong) {
                        soak.tally.fault("line over the limit");
                        soak.tally.fault(
                                closed(readReplyCode(socket.getInputStream()))
                                        ? "closed after a line over the limit"
                                        : "LEFT OPEN after a line over the limit");
                        break;
                    }
                    pause(20);
                }
            } catch (IOException | ClientException e) {
                if (failed("bad-lines", e)) {
                    return;
                }
            }
        }
    }

    /** Writes {@code line} and its newline: false if the connection broke (reset, broken pipe) on the way. */
    private static boolean send(OutputStream out, byte[] line) throws IOException {
        try {
            out.write(line);
            out.write('\n');
            out.flush();
            return true;
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    private static byte[] overLongLine() {
        byte[] line = new byte[MAX_LINE_BYTES + 4_096];
        Arrays.fill(line, (byte) 'x');
        return line;
    }

    /** A request trickled a byte every 300 ms (past the line deadline), then a client that never logs in. */
    void slowClients() {
        boolean trickle = true;
        while (soak.running()) {
            try (Socket socket = trickle ? soak.authenticatedSocket(victim.user, victim.password) : soak.rawSocket()) {
                socket.setSoTimeout(FAULT_READ_TIMEOUT_MS);
                InputStream in = socket.getInputStream();
                if (trickle) {
                    byte[] line = ascii("{\"op\":\"balance\",\"account\":\"" + victim.account(1) + "\"}\n");
                    for (int i = 0; i < line.length && in.available() == 0 && soak.running(); i++) {
                        socket.getOutputStream().write(line[i]);
                        socket.getOutputStream().flush();
                        pause(300); // the trickle itself
                    }
                }
                String code = readReplyCode(in);
                soak.tally.reply(code == null ? "ANSWERED_A_TRICKLE" : code);
                soak.tally.fault(trickle ? "trickled line" : "never logged in");
                soak.tally.fault(
                        closed(code) || closed(readReplyCode(in)) ? "closed a slow client" : "LEFT A SLOW CLIENT OPEN");
            } catch (IOException | ClientException e) {
                if (failed("slow", e)) {
                    return;
                }
            }
            trickle = !trickle;
        }
    }

    /** Wrong passwords for one name, a new connection each: after a few, every one must be THROTTLED. */
    void loginFlood() {
        long n = 0;
        while (soak.running()) {
            try (BankConnection bank = soak.open()) {
                String code = Soak.logIn(bank, WRONG_PASSWORDS_FOR, "wrong-password-" + n++);
                soak.tally.reply(code == null ? "ACCEPTED_A_WRONG_PASSWORD" : code);
                soak.tally.fault("wrong password");
            } catch (ClientException e) {
                if (failed("login-flood", e)) {
                    return;
                }
            }
            pause(20);
        }
    }

    /** Counts a fault client's failure; true if the server is gone (the worker stops). */
    private boolean failed(String worker, Exception e) {
        if (!soak.serverAlive()) {
            return true;
        }
        soak.tally.fault(
                worker + ": " + (e instanceof SocketTimeoutException ? "no answer in time" : "connection failed"));
        return false;
    }

    /**
     * The code of the next reply line ({@code null}: ok), {@code EOF} if the server closed the connection first, or
     * {@code RESET} if it broke it.
     */
    private static String readReplyCode(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try {
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    return "EOF";
                }
                if (line.size() > 1 << 20) {
                    throw new IOException("a reply line over 1 MiB");
                }
                line.write(b);
            }
        } catch (java.net.SocketException e) {
            return "RESET"; // the server closed with our bytes unread: the kernel resets (a line over the limit)
        }
        Reply reply = Json.parseReply(line.toString(StandardCharsets.UTF_8));
        return reply.ok() ? null : reply.error().code().name();
    }

    private static boolean closed(String code) {
        return "EOF".equals(code) || "RESET".equals(code);
    }

    private static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
