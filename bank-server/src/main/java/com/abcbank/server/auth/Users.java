package com.abcbank.server.auth;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Role;
import com.abcbank.protocol.Wire;
import java.io.IOException;
import java.io.PrintStream;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank's users: open enrolment for customers, one auditor ({@value Wire#AUDITOR}), passwords kept only as
 * salted PBKDF2 hashes.
 *
 * <p>Stored in {@code DATA/users}: one line per user, appended and forced to disk before {@code register}
 * answers, so a user the server acknowledged survives a crash. A last line cut short by a crash (no newline)
 * was never acknowledged and is dropped on load. User names are unique regardless of case.
 *
 * <p>On first start (no users file) the server creates the auditor with a random password, writes it to
 * {@code DATA/audit-password} (mode 600) and prints it once to the given stream, never to the log.
 */
public final class Users {
    static final String FILE = "users";
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,31}");
    static final int MIN_PASSWORD = 8;
    static final int MAX_PASSWORD = 1024;
    private static final Logger log = LoggerFactory.getLogger(Users.class);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private record Stored(String name, Role role, PasswordHasher.Hash hash) {}

    private final Path file;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    /** Keyed by the lower-cased name. */
    private final ConcurrentHashMap<String, Stored> users = new ConcurrentHashMap<>();
    /** Serialises appends to {@link #file}; registration is rare, so one lock is enough. */
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Compared against when the user is unknown, so a miss costs as much time as a wrong password. */
    private final PasswordHasher.Hash decoy;

    private Users(Path file, PasswordHasher hasher, Clock clock) {
        this.file = file;
        this.hasher = hasher;
        this.throttle = new LoginThrottle(clock);
        this.decoy = hasher.hash("decoy-password".toCharArray());
    }

    /**
     * Loads the users of {@code dataDir}, creating the directory, the file and the auditor on first start.
     *
     * @param announce where to print the auditor's new password, once
     */
    public static Users open(Path dataDir, int iterations, Clock clock, PrintStream announce) throws IOException {
        Files.createDirectories(dataDir);
        Users users = new Users(dataDir.resolve(FILE), new PasswordHasher(iterations), clock);
        if (Files.exists(users.file)) {
            users.load();
        }
        if (!users.users.containsKey(key(Wire.AUDITOR))) {
            String password = newPassword();
            users.append(new Stored(Wire.AUDITOR, Role.AUDITOR, users.hasher.hash(password.toCharArray())));
            Path passwordFile = dataDir.resolve(Wire.AUDIT_PASSWORD_FILE);
            Path temporary = dataDir.resolve(Wire.AUDIT_PASSWORD_FILE + ".tmp");
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, OWNER_ONLY);
            Files.writeString(temporary, password + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, passwordFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            announce.println("Created the auditor '" + Wire.AUDITOR
                    + "'. Its password is printed this once and saved to " + passwordFile + " (readable by you only):");
            announce.println(password);
            announce.flush();
            log.info("created the auditor {}; password written to {}", Wire.AUDITOR, passwordFile);
        }
        log.info("{} users loaded from {}", users.users.size(), users.file);
        return users;
    }

    /** Enrols a new customer. */
    public Outcome<Caller> register(String name, char[] password) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Outcome.fail(
                    ErrorCode.INVALID_USER, "a user name is a letter then up to 31 letters, digits, '_', '.' or '-'");
        }
        if (password == null || password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
            return Outcome.fail(
                    ErrorCode.INVALID_USER, "a password is " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        if (users.containsKey(key(name))) {
            return Outcome.fail(ErrorCode.USER_EXISTS, "user " + name + " exists");
        }
        Stored user = new Stored(name, Role.CUSTOMER, hasher.hash(password)); // slow: outside the lock
        appendLock.lock();
        try {
            if (users.containsKey(key(name))) {
                return Outcome.fail(ErrorCode.USER_EXISTS, "user " + name + " exists");
            }
            append(user);
        } catch (IOException e) {
            log.error("could not save new user {}", name, e);
            return Outcome.fail(ErrorCode.INTERNAL_ERROR, "could not save the new user; it was not created");
        } finally {
            appendLock.unlock();
        }
        log.info("registered user {}", name);
        return Outcome.ok(new Caller(name, Role.CUSTOMER));
    }

    /** Checks a password; refuses at once, without checking, while the name is throttled. */
    public Outcome<Caller> login(String name, char[] password) {
        if (name == null || password == null) {
            return Outcome.fail(ErrorCode.BAD_CREDENTIALS, "unknown user or wrong password");
        }
        Duration wait = throttle.begin(name); // counted before the check: see LoginThrottle
        if (!wait.isZero()) {
            return Outcome.fail(
                    ErrorCode.THROTTLED,
                    "too many failed logins for " + name + "; retry in " + Math.max(1, (wait.toMillis() + 999) / 1000)
                            + " s");
        }
        Stored user = users.get(key(name));
        boolean matches = false;
        try {
            matches = PasswordHasher.matches(password, user == null ? decoy : user.hash()) && user != null;
        } finally {
            throttle.end(name, matches);
        }
        if (!matches) {
            log.info("failed login for {}", name);
            return Outcome.fail(ErrorCode.BAD_CREDENTIALS, "unknown user or wrong password");
        }
        return Outcome.ok(new Caller(user.name(), user.role()));
    }

    public int size() {
        return users.size();
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
        for (int i = 0; i < lines.size(); i++) {
            Stored user = parse(lines.get(i), i + 1);
            users.put(key(user.name()), user);
        }
    }

    private Stored parse(String line, int number) {
        String[] fields = line.split(" ", -1); // -1: a trailing space is a seventh (empty) field, not nothing
        if (fields.length != 6 || !fields[0].equals("v1")) {
            throw new IllegalStateException(file + " line " + number + " is not a user record");
        }
        Base64.Decoder base64 = Base64.getDecoder();
        return new Stored(
                fields[1],
                Role.valueOf(fields[2]),
                new PasswordHasher.Hash(
                        base64.decode(fields[4]), Integer.parseInt(fields[3]), base64.decode(fields[5])));
    }

    /** Appends one user line and forces it to disk, then makes the user visible. */
    private void append(Stored user) throws IOException {
        Base64.Encoder base64 = Base64.getEncoder();
        String line = String.join(
                        " ",
                        "v1",
                        user.name(),
                        user.role().name(),
                        Integer.toString(user.hash().iterations()),
                        base64.encodeToString(user.hash().salt()),
                        base64.encodeToString(user.hash().hash()))
                + "\n";
        try (FileChannel channel = FileChannel.open(
                file,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                OWNER_ONLY)) {
            ByteBuffer buffer = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        users.put(key(user.name()), user);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String newPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
