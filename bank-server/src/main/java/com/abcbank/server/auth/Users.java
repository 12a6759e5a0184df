package com.abcbank.server.auth;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Role;
import com.abcbank.protocol.Scram;
import com.abcbank.protocol.Wire;
import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.Gs2CbindFlag;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ServerFinalMessage;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.exception.ScramParseException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank's users: open enrolment for customers, one auditor ({@value Wire#AUDITOR}), and the SCRAM-SHA-256 login
 * (RFC 5802/7677). The server keeps only each user's {@link Scram.Verifier} (salt, iteration count, StoredKey,
 * ServerKey): a login costs it a few HMACs, and it never sees a password, not even at registration.
 *
 * <p>Stored in {@code DATA/users}: one line per verifier, appended and forced to disk before {@code register} or
 * {@code passwd} answers, so a change the server acknowledged survives a crash; a later line for a name replaces
 * an earlier one. A last line cut short by a crash (no newline) was never acknowledged and is dropped on load.
 * User names are unique regardless of case. Lines of the earlier format ({@code v1}: a PBKDF2-HMAC-SHA256 hash,
 * which is exactly SCRAM's SaltedPassword) are turned into verifiers on start, and the file rewritten, with a log
 * line; the passwords stay the same.
 *
 * <p>On first start (no users file) the server creates the auditor with a random password, writes it to
 * {@code DATA/audit-password} (mode 600) and prints it once to the given stream, never to the log. When the
 * auditor changes its password, that file is deleted: it would no longer be true.
 *
 * <p>A login for a name that does not exist goes through the same two steps, with a salt made from the name and a
 * secret of this data directory ({@code DATA/scram-mock-secret}) and the iteration count most users have, so the
 * first step does not tell which names exist (unless a user's own count is a rare one) and the same name gets the
 * same salt every time, across restarts.
 */
public final class Users {
    static final String FILE = "users";
    static final String MOCK_SECRET_FILE = "scram-mock-secret";
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,31}");
    /** The client nonce: printable ASCII but ',' (RFC 5802), of a bounded length. */
    private static final Pattern NONCE = Pattern.compile("[\\x21-\\x2b\\x2d-\\x7e]{16,256}");

    private static final int SERVER_NONCE_CHARS = 24;
    private static final Logger log = LoggerFactory.getLogger(Users.class);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The longest a login may wait between its two steps: a client answers at once, or not at all. */
    static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(30);

    private record Stored(String name, Role role, Scram.Verifier verifier) {}

    /**
     * A login between its two steps: what the server sent, and what it must check the proof against. Held by the
     * connection; {@link #abandon} it if the second step never comes.
     */
    public static final class Challenge {
        private final String user;
        private final InetAddress from;
        private final Stored stored; // null: no such user
        private final ClientFirstMessage clientFirst;
        private final ServerFirstMessage serverFirst;
        private final LoginThrottle.Attempt attempt;
        private final Instant started;
        /** Set once, by whichever of finish and abandon comes first (the console's two steps run on pool threads). */
        private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

        private Challenge(
                String user,
                InetAddress from,
                Stored stored,
                ClientFirstMessage clientFirst,
                ServerFirstMessage serverFirst,
                LoginThrottle.Attempt attempt,
                Instant started) {
            this.user = user;
            this.from = from;
            this.stored = stored;
            this.clientFirst = clientFirst;
            this.serverFirst = serverFirst;
            this.attempt = attempt;
            this.started = started;
        }

        /** The user name the client gave (which may not exist). */
        public String user() {
            return user;
        }

        /** The server-first-message to send: {@code r=NONCE,s=SALT,i=ITERATIONS}. */
        public String serverFirst() {
            return serverFirst.toString();
        }
    }

    private final Path file;
    private final Path dataDir;
    private final int minIterations;
    private final LoginThrottle throttle;
    private final Clock clock;
    private final Set<InetAddress> auditorFrom;
    /** Keyed by the lower-cased name. */
    private final ConcurrentHashMap<String, Stored> users = new ConcurrentHashMap<>();
    /** Serialises appends to {@link #file}; registration is rare, so one lock is enough. */
    private final ReentrantLock appendLock = new ReentrantLock();

    private final byte[] mockSecret;
    /**
     * How many users have each iteration count (a few distinct counts), so that a name that does not exist is
     * answered with the most common one. Changed under {@link #appendLock}.
     */
    private final ConcurrentHashMap<Integer, Integer> iterationCounts = new ConcurrentHashMap<>();

    private volatile SecurityListener listener = SecurityListener.NONE;

    private Users(Path dataDir, int minIterations, Clock clock, Set<InetAddress> auditorFrom, byte[] mockSecret) {
        this.dataDir = dataDir;
        this.file = dataDir.resolve(FILE);
        this.minIterations = minIterations;
        this.throttle = new LoginThrottle(clock);
        this.clock = clock;
        this.auditorFrom = Set.copyOf(auditorFrom);
        this.mockSecret = mockSecret;
    }

    /** What the users see happen that an auditor may want to know: failed logins, lockouts, password changes. */
    public interface SecurityListener {
        SecurityListener NONE = new SecurityListener() {};

        /** A login failed (unknown user, wrong proof): {@code throttled} if it was refused before any check. */
        default void loginFailed(String user, InetAddress from, boolean throttled) {}

        /** {@code user} became blocked from {@code from} ({@code from == null}: from every untrusted address). */
        default void lockedOut(String user, InetAddress from) {}

        default void passwordChanged(String user, InetAddress from) {}
    }

    /** Where failed logins, lockouts and password changes are reported (default: nowhere). */
    public void listen(SecurityListener newListener) {
        this.listener = newListener;
    }

    /** As {@link #open(Path, int, Clock, PrintStream, Set)} with the auditor expected from this machine only. */
    public static Users open(Path dataDir, int minIterations, Clock clock, PrintStream announce) throws IOException {
        return open(dataDir, minIterations, clock, announce, Set.of(InetAddress.getLoopbackAddress()));
    }

    /**
     * Loads the users of {@code dataDir}, creating the directory, the file and the auditor on first start.
     *
     * @param minIterations the fewest SCRAM iterations a registration or password change may use
     * @param announce      where to print the auditor's new password, once
     * @param auditorFrom   the addresses the auditor is expected to log in from: guesses from elsewhere never block
     *                      it there (see {@link LoginThrottle})
     */
    public static Users open(
            Path dataDir, int minIterations, Clock clock, PrintStream announce, Set<InetAddress> auditorFrom)
            throws IOException {
        Users users = openWithoutAuditor(dataDir, minIterations, clock, auditorFrom);
        if (!users.hasAuditor()) {
            NewAuditor auditor = newAuditor(minIterations);
            users.append(new Stored(Wire.AUDITOR, Role.AUDITOR, auditor.verifier()));
            users.announceAuditor(auditor.password(), announce);
        }
        log.info("{} users loaded from {}", users.users.size(), users.file);
        return users;
    }

    /**
     * The auditor's first password and its verifier: a random password of 144 bits, so stretching adds nothing and the
     * verifier takes the fewest iterations the server allows.
     */
    public record NewAuditor(String password, Scram.Verifier verifier) {
        @Override
        public String toString() {
            return "NewAuditor[***]";
        }
    }

    /** A new auditor's password and verifier (not yet anyone's: see {@link #addAuditor}). */
    public static NewAuditor newAuditor(int minIterations) {
        String password = newPassword();
        Scram.ClientKeys keys =
                Scram.newKeys(password.toCharArray(), Math.max(minIterations, Scram.RANDOM_SECRET_ITERATIONS));
        return new NewAuditor(password, keys.verifier());
    }

    /** Whether the auditor exists. */
    public boolean hasAuditor() {
        return users.containsKey(key(Wire.AUDITOR));
    }

    /**
     * Creates the auditor with {@code verifier} if there is none yet ({@code USER_EXISTS} otherwise): how a cluster
     * creates it once, through its log, whichever node proposed it first.
     */
    public Outcome<Caller> addAuditor(Scram.Verifier verifier) {
        appendLock.lock();
        try {
            if (hasAuditor()) {
                return Outcome.fail(ErrorCode.USER_EXISTS, "the auditor exists");
            }
            append(new Stored(Wire.AUDITOR, Role.AUDITOR, verifier));
        } catch (IOException e) {
            log.error("could not save the auditor", e);
            return Outcome.fail(ErrorCode.INTERNAL_ERROR, "could not save the auditor; it was not created");
        } finally {
            appendLock.unlock();
        }
        log.info("created the auditor {}", Wire.AUDITOR);
        return Outcome.ok(Caller.auditor(Wire.AUDITOR));
    }

    /**
     * Writes the auditor's new {@code password} to {@code DATA/audit-password} (mode 600) and prints it once to
     * {@code announce}, never to the log.
     */
    public void announceAuditor(String password, PrintStream announce) throws IOException {
        Path passwordFile = dataDir.resolve(Wire.AUDIT_PASSWORD_FILE);
        Path temporary = dataDir.resolve(Wire.AUDIT_PASSWORD_FILE + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, OWNER_ONLY);
        Files.writeString(temporary, password + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, passwordFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        announce.println("Created the auditor '" + Wire.AUDITOR + "'. Its password is printed this once and saved to "
                + passwordFile + " (readable by you only):");
        announce.println(password);
        announce.flush();
        log.info("created the auditor {}; password written to {}", Wire.AUDITOR, passwordFile);
    }

    /**
     * Loads the users of {@code dataDir} (creating the directory), without creating the auditor: a cluster node, where
     * the auditor is created once for all nodes through the log ({@link #addAuditor}).
     */
    public static Users openWithoutAuditor(Path dataDir, int minIterations, Clock clock, Set<InetAddress> auditorFrom)
            throws IOException {
        if (minIterations < Scram.MIN_ITERATIONS || minIterations > Scram.MAX_ITERATIONS) {
            throw new IllegalArgumentException("SCRAM iterations must be " + Scram.MIN_ITERATIONS + " to "
                    + Scram.MAX_ITERATIONS + ": " + minIterations);
        }
        Files.createDirectories(dataDir);
        Users users = new Users(dataDir, minIterations, clock, auditorFrom, mockSecret(dataDir));
        if (Files.exists(users.file)) {
            users.load();
        }
        return users;
    }

    /** Enrols a new customer with the verifier of their password. */
    public Outcome<Caller> register(String name, Scram.Verifier verifier) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Outcome.fail(
                    ErrorCode.INVALID_USER, "a user name is a letter then up to 31 letters, digits, '_', '.' or '-'");
        }
        Optional<String> invalid = check(verifier);
        if (invalid.isPresent()) {
            return Outcome.fail(ErrorCode.INVALID_USER, invalid.get());
        }
        appendLock.lock();
        try {
            if (users.containsKey(key(name))) {
                return Outcome.fail(ErrorCode.USER_EXISTS, "user " + name + " exists");
            }
            append(new Stored(name, Role.CUSTOMER, verifier));
        } catch (IOException e) {
            log.error("could not save new user {}", name, e);
            return Outcome.fail(ErrorCode.INTERNAL_ERROR, "could not save the new user; it was not created");
        } finally {
            appendLock.unlock();
        }
        log.info("registered user {}", name);
        return Outcome.ok(new Caller(name, Role.CUSTOMER));
    }

    /** Replaces the verifier of {@code caller}, who is logged in (the auditor included). */
    public Outcome<Caller> changePassword(Caller caller, Scram.Verifier verifier, InetAddress from) {
        Optional<String> invalid = check(verifier);
        if (invalid.isPresent()) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, invalid.get());
        }
        Stored current = users.get(key(caller.user()));
        if (current == null) {
            return Outcome.fail(ErrorCode.UNAUTHENTICATED, "user " + caller.user() + " no longer exists");
        }
        appendLock.lock();
        try {
            append(new Stored(current.name(), current.role(), verifier));
        } catch (IOException e) {
            log.error("could not save the new password of {}", caller.user(), e);
            return Outcome.fail(ErrorCode.INTERNAL_ERROR, "could not save the new password; it was not changed");
        } finally {
            appendLock.unlock();
        }
        log.info("password changed for {}", current.name());
        if (current.role() == Role.AUDITOR) {
            try {
                if (Files.deleteIfExists(dataDir.resolve(Wire.AUDIT_PASSWORD_FILE))) {
                    log.info(
                            "the auditor's password changed: deleted {}, which held the old one",
                            dataDir.resolve(Wire.AUDIT_PASSWORD_FILE));
                }
            } catch (IOException e) {
                log.warn("could not delete the auditor's old password file: {}", e.toString());
            }
        }
        listener.passwordChanged(current.name(), from);
        return Outcome.ok(new Caller(current.name(), current.role()));
    }

    /**
     * The first step of a login: the server-first-message for the client-first-message, or why not. Refused at
     * once, unchecked, while the name is throttled from {@code from}. The attempt is counted from here (see
     * {@link LoginThrottle}): a successful first step must be followed by {@link #finish} or {@link #abandon}.
     */
    public Outcome<Challenge> start(String clientFirstText, InetAddress from) {
        return start(clientFirstText, from, true);
    }

    /**
     * As {@link #start(String, InetAddress)}; without {@code mayWait}, an attempt that finds its budget taken by
     * attempts in flight is refused ({@code THROTTLED}) at once instead of waiting for one to end: for the web console,
     * whose requests share one small pool of threads that a burst of sign-ins must not park.
     */
    public Outcome<Challenge> start(String clientFirstText, InetAddress from, boolean mayWait) {
        ClientFirstMessage clientFirst;
        try {
            clientFirst = ClientFirstMessage.parseFrom(clientFirstText == null ? "" : clientFirstText);
        } catch (ScramParseException | IllegalArgumentException e) {
            return Outcome.fail(
                    ErrorCode.MALFORMED_REQUEST,
                    "client_first is not a SCRAM client-first-message" + " (n,,n=USER,r=NONCE; RFC 5802)");
        }
        if (clientFirst.getGs2Header().getChannelBindingFlag() != Gs2CbindFlag.CLIENT_NOT
                || clientFirst.getGs2Header().getAuthzid() != null) {
            return Outcome.fail(
                    ErrorCode.MALFORMED_REQUEST,
                    "SCRAM-SHA-256 without channel binding or authzid:" + " client_first starts n,,");
        }
        String user = clientFirst.getUsername();
        if (!NAME.matcher(user).matches()
                || !NONCE.matcher(clientFirst.getClientNonce()).matches()) {
            return Outcome.fail(ErrorCode.BAD_CREDENTIALS, "unknown user or wrong password");
        }
        boolean expected = isAuditor(user) && auditorFrom.contains(from);
        LoginThrottle.Attempt attempt = throttle.begin(
                user, from, expected, mayWait ? LoginThrottle.IN_FLIGHT_WAIT_MS : 0); // counted before the check
        Duration wait = attempt.refusedFor();
        if (!wait.isZero()) {
            log.info("throttled login for {}", user);
            listener.loginFailed(user, from, true);
            return Outcome.fail(
                    ErrorCode.THROTTLED,
                    "too many failed logins for " + user + "; retry in " + Math.max(1, (wait.toMillis() + 999) / 1000)
                            + " s");
        }
        Stored stored = users.get(key(user));
        Scram.Verifier verifier = stored != null ? stored.verifier() : mock(user);
        ServerFirstMessage serverFirst = new ServerFirstMessage(
                clientFirst.getClientNonce(),
                ScramFunctions.nonce(SERVER_NONCE_CHARS, RANDOM),
                Scram.base64(verifier.salt()),
                verifier.iterations());
        return Outcome.ok(new Challenge(user, from, stored, clientFirst, serverFirst, attempt, clock.instant()));
    }

    /**
     * The second step: checks the client's proof; on success the caller, and the server-final-message that proves
     * the server holds the user's ServerKey. Ends the attempt {@link #start} began, whatever the outcome.
     */
    public Outcome<LoggedIn> finish(Challenge challenge, String clientFinal) {
        if (!challenge.ended.compareAndSet(false, true)) {
            throw new IllegalStateException("this login has ended");
        }
        boolean matches = false;
        String authMessage = null;
        String why = "unknown user or wrong password";
        try {
            authMessage = authMessage(challenge, clientFinal);
            // Checked against the verifier as it is now: a passwd since the first step makes the old proof worthless.
            Stored now = challenge.stored == null ? null : users.get(key(challenge.user));
            boolean current =
                    now != null && now.equals(challenge.stored); // verifiers are equal only if the same object
            boolean fresh = !clock.instant().isAfter(challenge.started.plus(EXCHANGE_TIMEOUT));
            // The same work whether the user exists or not: a mock verifier never matches.
            Scram.Verifier verifier = current ? now.verifier() : mock(challenge.user);
            matches = authMessage != null && proves(proof(clientFinal), verifier, authMessage) && current && fresh;
            if (authMessage != null && current && !fresh) {
                why = "login_final came more than " + EXCHANGE_TIMEOUT.toSeconds() + " s after login; log in again";
            }
        } finally {
            boolean lockedNow = throttle.end(challenge.attempt, matches);
            if (lockedNow) {
                listener.lockedOut(challenge.user, challenge.from);
                log.warn("login for {} blocked after repeated failures", challenge.user);
            }
        }
        if (!matches) {
            log.info("failed login for {}", challenge.user);
            listener.loginFailed(challenge.user, challenge.from, false);
            if (authMessage == null) {
                return Outcome.fail(
                        ErrorCode.MALFORMED_REQUEST,
                        "client_final is not the client-final-message for"
                                + " this login (c=biws,r=NONCE,p=PROOF; RFC 5802)");
            }
            return Outcome.fail(ErrorCode.BAD_CREDENTIALS, why);
        }
        Stored user = challenge.stored;
        byte[] signature =
                ScramFunctions.serverSignature(Scram.MECHANISM, user.verifier().serverKey(), authMessage);
        return Outcome.ok(
                new LoggedIn(new Caller(user.name(), user.role()), new ServerFinalMessage(signature).toString()));
    }

    /**
     * Whether {@code proof} proves the key behind {@code verifier}: ClientKey = proof XOR HMAC(StoredKey, AuthMessage),
     * and H(ClientKey) must be StoredKey, compared in constant time. A proof of the wrong length proves nothing.
     */
    private static boolean proves(byte[] proof, Scram.Verifier verifier, String authMessage) {
        byte[] signature = ScramFunctions.clientSignature(Scram.MECHANISM, verifier.storedKey(), authMessage);
        byte[] clientKey = new byte[signature.length];
        for (int i = 0; i < clientKey.length; i++) {
            clientKey[i] = (byte) (signature[i] ^ (i < proof.length ? proof[i] : 0));
        }
        boolean equal = MessageDigest.isEqual(ScramFunctions.hash(Scram.MECHANISM, clientKey), verifier.storedKey());
        return equal && proof.length == signature.length;
    }

    /** A successful login: who, and the server-final-message for the client to check. */
    public record LoggedIn(Caller caller, String serverFinal) {}

    /** Ends a login whose second step will not come (the connection closed, or began another): not a failure. */
    public void abandon(Challenge challenge) {
        if (challenge != null && challenge.ended.compareAndSet(false, true)) {
            throttle.abandon(challenge.attempt); // once, even if a sweep and a take race to abandon it
        }
    }

    public int size() {
        return users.size();
    }

    /**
     * RFC 5802's AuthMessage for this login, or {@code null} if {@code clientFinal} is not a client-final-message
     * answering this challenge (its channel binding must be {@code n,,}'s and its nonce the server's).
     */
    private static String authMessage(Challenge challenge, String clientFinal) {
        if (clientFinal == null) {
            return null;
        }
        int proofAt = clientFinal.lastIndexOf(",p=");
        if (proofAt < 0) {
            return null;
        }
        String withoutProof = clientFinal.substring(0, proofAt);
        String expected = "c=biws,r=" + challenge.serverFirst.getNonce(); // biws: base64 of "n,,"
        if (!withoutProof.equals(expected)) {
            return null;
        }
        return ScramFunctions.authMessage(challenge.clientFirst, challenge.serverFirst, null);
    }

    private static byte[] proof(String clientFinal) {
        try {
            return Scram.fromBase64(clientFinal.substring(clientFinal.lastIndexOf(",p=") + 3));
        } catch (IllegalArgumentException e) {
            return new byte[0]; // never a valid proof
        }
    }

    private Optional<String> check(Scram.Verifier verifier) {
        if (verifier.iterations() < minIterations) {
            return Optional.of("iterations must be at least " + minIterations);
        }
        return verifier.invalid();
    }

    private boolean isAuditor(String user) {
        return key(user).equals(key(Wire.AUDITOR));
    }

    /** A made-up verifier for a name that does not exist: the same salt for the same name, every time. */
    private Scram.Verifier mock(String user) {
        byte[] salt = Arrays.copyOf(
                ScramFunctions.hmac(Scram.MECHANISM, mockSecret, key(user).getBytes(StandardCharsets.UTF_8)),
                Scram.SALT_BYTES);
        return new Scram.Verifier(commonIterations(), salt, new byte[Scram.KEY_BYTES], new byte[Scram.KEY_BYTES]);
    }

    private static byte[] mockSecret(Path dataDir) throws IOException {
        Path path = dataDir.resolve(MOCK_SECRET_FILE);
        if (Files.exists(path)) {
            byte[] secret = Files.readAllBytes(path);
            if (secret.length == Scram.KEY_BYTES) {
                return secret;
            }
            log.warn("{} is not {} bytes; making a new one", path, Scram.KEY_BYTES);
        }
        byte[] secret = new byte[Scram.KEY_BYTES];
        RANDOM.nextBytes(secret);
        Path temporary = dataDir.resolve(MOCK_SECRET_FILE + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, OWNER_ONLY);
        Files.write(temporary, secret);
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return secret;
    }

    private void load() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--; // a last line without its newline was cut short by a crash, and never acknowledged
        }
        if (end < bytes.length) {
            log.warn("dropping {} bytes of an unfinished last line in {}", bytes.length - end, file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(end);
                channel.force(true);
            }
        }
        List<String> lines =
                new String(bytes, 0, end, StandardCharsets.UTF_8).lines().toList();
        int migrated = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            migrated += line.startsWith("v1 ") ? 1 : 0;
            Stored user = parse(line, i + 1);
            Stored before = users.put(key(user.name()), user);
            counted(before, user);
        }
        long weak = users.values().stream()
                .filter(u -> u.verifier().iterations() < Scram.MIN_ITERATIONS)
                .count();
        if (weak > 0) {
            log.warn(
                    "{} users of {} have fewer than {} PBKDF2 iterations (from before SCRAM): clients refuse so few,"
                            + " so they cannot log in until their password is set again",
                    weak,
                    file,
                    Scram.MIN_ITERATIONS);
        }
        if (migrated > 0 || users.size() < lines.size()) {
            rewrite();
            if (migrated > 0) {
                log.info(
                        "migrated {} users of {} from PBKDF2 password hashes to SCRAM-SHA-256 verifiers (same passwords)",
                        migrated,
                        file);
            }
        }
    }

    /**
     * A line: {@code v2 NAME ROLE ITERATIONS SALT STOREDKEY SERVERKEY}, or the earlier {@code v1 NAME ROLE
     * ITERATIONS SALT HASH}, whose PBKDF2-HMAC-SHA256 hash is SCRAM's SaltedPassword (same function, same salt).
     */
    private Stored parse(String line, int number) {
        String[] fields = line.split(" ", -1); // -1: a trailing space is one more (empty) field, not nothing
        Base64.Decoder base64 = Base64.getDecoder();
        try {
            if (fields.length == 7 && fields[0].equals("v2")) {
                return new Stored(
                        fields[1],
                        Role.valueOf(fields[2]),
                        new Scram.Verifier(
                                Integer.parseInt(fields[3]),
                                base64.decode(fields[4]),
                                base64.decode(fields[5]),
                                base64.decode(fields[6])));
            }
            if (fields.length == 6 && fields[0].equals("v1")) {
                byte[] salt = base64.decode(fields[4]);
                int iterations = Integer.parseInt(fields[3]);
                Scram.ClientKeys keys = Scram.fromSaltedPassword(base64.decode(fields[5]), salt, iterations);
                return new Stored(fields[1], Role.valueOf(fields[2]), keys.verifier());
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " line " + number + " is not a user record", e);
        }
        throw new IllegalStateException(file + " line " + number + " is not a user record");
    }

    private static String line(Stored user) {
        Base64.Encoder base64 = Base64.getEncoder();
        Scram.Verifier v = user.verifier();
        return String.join(
                        " ",
                        "v2",
                        user.name(),
                        user.role().name(),
                        Integer.toString(v.iterations()),
                        base64.encodeToString(v.salt()),
                        base64.encodeToString(v.storedKey()),
                        base64.encodeToString(v.serverKey()))
                + "\n";
    }

    /** Writes the file anew with one line per user, in the v2 format, and swaps it in atomically. */
    private void rewrite() throws IOException {
        Path temporary = file.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(temporary);
        Map<String, Stored> ordered = new LinkedHashMap<>();
        List<Stored> all = new ArrayList<>(users.values());
        all.sort((a, b) -> a.name().compareToIgnoreCase(b.name()));
        all.forEach(u -> ordered.put(key(u.name()), u));
        StringBuilder text = new StringBuilder();
        ordered.values().forEach(u -> text.append(line(u)));
        try (FileChannel channel = FileChannel.open(
                temporary, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
            ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /** Appends one user line and forces it to disk, then makes the user visible. */
    /**
     * Copies the users file to {@code target} (forced): a cluster's snapshot carries it, since registrations and
     * password changes are part of the replicated state.
     */
    public void copyTo(Path target) throws IOException {
        appendLock.lock();
        try {
            if (Files.exists(file)) {
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.createFile(target);
            }
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Replaces every user with those of {@code source} (a users file from a cluster snapshot this node installed):
     * the file is copied into place (write, force, rename), then each user is put or removed, so a login never sees
     * an empty table.
     */
    public void replaceWith(Path source) throws IOException {
        appendLock.lock();
        try {
            Path temporary = dataDir.resolve(FILE + ".installing");
            Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Map<String, Stored> installed = new LinkedHashMap<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Stored user = parse(lines.get(i), i + 1);
                installed.put(key(user.name()), user);
            }
            installed.forEach((k, user) -> counted(users.put(k, user), user));
            for (String name : List.copyOf(users.keySet())) {
                if (!installed.containsKey(name)) {
                    Stored gone = users.remove(name);
                    iterationCounts.computeIfPresent(gone.verifier().iterations(), (n, c) -> c == 1 ? null : c - 1);
                }
            }
            log.info("{} users installed from a cluster snapshot", users.size());
        } finally {
            appendLock.unlock();
        }
    }

    private void append(Stored user) throws IOException {
        try (FileChannel channel = FileChannel.open(
                file,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                OWNER_ONLY)) {
            ByteBuffer buffer = ByteBuffer.wrap(line(user).getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        counted(users.put(key(user.name()), user), user);
    }

    /** Keeps {@link #iterationCounts}: {@code after} replaced {@code before} (null: a new user). */
    private void counted(Stored before, Stored after) {
        if (before != null) {
            iterationCounts.computeIfPresent(before.verifier().iterations(), (i, n) -> n == 1 ? null : n - 1);
        }
        iterationCounts.merge(after.verifier().iterations(), 1, Integer::sum);
    }

    /** The iteration count most users have (ties: the larger). */
    private int commonIterations() {
        int best = Math.max(minIterations, Scram.RANDOM_SECRET_ITERATIONS);
        int most = 0;
        for (Map.Entry<Integer, Integer> entry : iterationCounts.entrySet()) {
            if (entry.getValue() > most || (entry.getValue() == most && entry.getKey() > best)) {
                best = entry.getKey();
                most = entry.getValue();
            }
        }
        return best;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String newPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
