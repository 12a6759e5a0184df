package com.abcbank.server.bench;

import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Scram;
import com.abcbank.server.auth.Users;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;

/**
 * The users file of a generated bank: the auditor (made by {@link Users#open}, its password in
 * {@code DATA/audit-password} as on a server's first start) and {@code count} customers {@code c0000000},
 * {@code c0000001}, ..., all with the one password in {@code DATA/bigbank-password}.
 *
 * <p>Hashing a password takes PBKDF2's work factor, and {@link Users#register} forces the file once per user: for
 * 250,000 customers that would be most of the generator's time. So the first customer is registered through
 * {@link Users}, and every other customer gets a copy of its line with the name changed: the same salt and hash,
 * which is what the same password with the same salt gives (the verifier: salt, StoredKey, ServerKey). Fine for a test bank whose password is in a file
 * next to it; never a way to make real users. {@code BigBankTest} checks that {@link Users#open} loads the file and
 * that a copied customer logs in.
 */
final class BigBankUsers {
    /** What the server calls its users file ({@code Users.FILE}, package-private there). */
    static final String USERS_FILE = "users";
    /** The file holding every generated customer's password (mode 600), for {@code client --password-file}. */
    static final String PASSWORD_FILE = "bigbank-password";
    /** Every customer's password: a test bank's, published in its data directory. */
    static final String PASSWORD = "big-bank-password";

    private BigBankUsers() {}

    /** The name of customer {@code index}: {@code c} and 7 digits (more if there are more customers). */
    static String name(int index) {
        String digits = Integer.toString(index); // not String.format: this runs once per generated request
        return digits.length() >= 7 ? "c" + digits : "c" + "0000000".substring(digits.length()) + digits;
    }

    /** Writes the users file of {@code dataDir} (which has none yet) with the auditor and {@code count} customers. */
    static void write(Path dataDir, int count, int pbkdf2Iterations) throws IOException {
        Path file = dataDir.resolve(USERS_FILE);
        if (Files.exists(file)) {
            throw new IOException(file + " exists: generate into an empty directory");
        }
        Users users = Users.open(
                dataDir, pbkdf2Iterations, Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()));
        Outcome<?> first = users.register(
                name(0), Scram.newKeys(PASSWORD.toCharArray(), pbkdf2Iterations).verifier());
        if (!first.isOk()) {
            throw new IllegalStateException("could not register " + name(0) + ": " + first.message());
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String template = lines.get(lines.size() - 1);
        String[] fields = template.split(" ", -1);
        if (fields.length < 2 || !fields[1].equals(name(0))) {
            throw new IllegalStateException("the users file's last line is not " + name(0) + "'s: "
                    + "has its format changed? (" + fields.length + " fields)");
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            for (int i = 1; i < count; i++) {
                fields[1] = name(i);
                out.write(String.join(" ", fields));
                out.write('\n');
            }
        }
        Path passwordFile = dataDir.resolve(PASSWORD_FILE);
        Files.createFile(
                passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
    }
}
