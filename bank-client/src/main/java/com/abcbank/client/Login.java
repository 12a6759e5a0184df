package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Scram;
import com.abcbank.protocol.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Getting a logged-in connection for one USER at one {@link Endpoint}: connect, find the password, log in, or
 * enrol USER when it may.
 *
 * <p>The password comes from the first source that has one: {@code --password-file}, {@code $BANK_PASSWORD},
 * the {@link CredentialsFile}. A source that is there but gives none ({@code --password-file} of an empty file)
 * is an authentication failure (exit 4), not a usage error: the command line is right, and what needs fixing is
 * the credentials, as with any other password that is not there. Passwords never reach a message or a log.
 *
 * <p>Order matters: it connects before it looks for a password. A server that cannot be reached is the problem to
 * fix first (exit 75), and a password is no use without one, so every credentials problem is reported only once
 * the server is known to be there.
 */
final class Login {
    /** 192 random bits, well above the 128 that make guessing hopeless. */
    private static final int PASSWORD_BYTES = 24;
    /** Thread-safe and costly to seed: one for the process. */
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String user;
    private final Endpoint endpoint;
    /** Every server of the command ({@code --servers}), this one first: they share their users. */
    private final List<Endpoint> cluster;

    private final Path passwordFile;
    private final Map<String, String> env;
    private final CredentialsFile credentials;
    private final PrintWriter err;
    private final Function<Endpoint, BankConnection> opener;

    /**
     * @param passwordFile {@code --password-file}, or null
     * @param env          for {@code BANK_PASSWORD}
     * @param err          where notes go (a registration, a password that could not be taken out again)
     * @param opener       connects to the endpoint, or throws {@link ClientException} (exit 75)
     */
    Login(
            String user,
            Endpoint endpoint,
            Path passwordFile,
            Map<String, String> env,
            CredentialsFile credentials,
            PrintWriter err,
            Function<Endpoint, BankConnection> opener) {
        this(user, endpoint, List.of(endpoint), passwordFile, env, credentials, err, opener);
    }

    private Login(
            String user,
            Endpoint endpoint,
            List<Endpoint> cluster,
            Path passwordFile,
            Map<String, String> env,
            CredentialsFile credentials,
            PrintWriter err,
            Function<Endpoint, BankConnection> opener) {
        this.user = user;
        this.endpoint = endpoint;
        this.cluster = cluster;
        this.passwordFile = passwordFile;
        this.env = env;
        this.credentials = credentials;
        this.err = err;
        this.opener = opener;
    }

    String user() {
        return user;
    }

    /**
     * The same login at {@code server}, one of {@code servers} (the nodes of one cluster, which replicate their
     * users): a password or keys saved for any of them are good at all of them, so when the credentials file has no
     * line for {@code server}, the lines of the others are looked up, in order. Without this, keys enrolled at one
     * node would not be found at the next one a command fails over to.
     */
    Login at(Endpoint server, List<Endpoint> servers) {
        List<Endpoint> others = new ArrayList<>();
        others.add(server);
        servers.stream().filter(other -> !other.equals(server)).forEach(others::add);
        return new Login(user, server, List.copyOf(others), passwordFile, env, credentials, err, opener);
    }

    /** A connection to the endpoint, not logged in. */
    BankConnection open() {
        return opener.apply(endpoint);
    }

    /**
     * Connects and logs in as USER. With no password from any source, a command that {@code mayEnrol}
     * registers USER with a new random password instead (which logs the connection in); any other command
     * stops with exit 4.
     */
    BankConnection connect(boolean mayEnrol) {
        BankConnection bank = open();
        try {
            Optional<Secret> secret = secret();
            if (secret.isPresent()) {
                Scram.ClientKeys keys = bank.login(user, secret.get().secret());
                keepKeys(secret.get(), keys);
                return bank;
            }
            if (!mayEnrol) {
                throw new ClientException(ExitCodes.AUTH, noPassword());
            }
            // register logs the connection in (docs/protocol.md), so no login follows.
            Reply registered = enrol(bank);
            if (registered.ok()) {
                return bank;
            }
            if (registered.error().code() == ErrorCode.USER_EXISTS) {
                throw new ClientException(
                        ExitCodes.AUTH, ClientException.describe(registered.error()) + "; " + noPassword());
            }
            throw ClientException.refused(registered.error());
        } catch (RuntimeException e) {
            bank.close();
            throw e;
        }
    }

    /** What to do about a missing password: where the client looked, and for the auditor where the server put it. */
    String noPassword() {
        String message = "no password for " + user + " at " + endpoint + ": use --password-file, set BANK_PASSWORD,"
                + " or add host:port:user:password to " + credentials.path();
        if (user.equalsIgnoreCase(Wire.AUDITOR)) { // names match regardless of case, as on the server
            message += "; the server wrote the auditor's password to DATA/" + Wire.AUDIT_PASSWORD_FILE + " (DATA: the"
                    + " server's --data directory, ./data by default), so try --password-file data/"
                    + Wire.AUDIT_PASSWORD_FILE;
        }
        return message;
    }

    /**
     * Registers USER with a new random secret. Only its SCRAM keys are kept (a 192-bit random secret needs no
     * stretching, and the keys are of no use against another server): saved, and forced to disk, before the
     * registration is sent: were they saved after, a crash or a full disk between the two would leave a user whose
     * keys nobody has. If the server refuses, the saved line is taken out again; if the connection breaks, or the
     * refusal leaves the outcome unknown (CLUSTER_UNAVAILABLE, INTERNAL_ERROR, STORAGE_FAILED), it stays, because
     * the registration may have happened.
     */
    Reply enrol(BankConnection bank) {
        Scram.ClientKeys keys = Scram.newKeys(newPassword().toCharArray(), Scram.RANDOM_SECRET_ITERATIONS);
        String saved = keys.encode();
        try {
            credentials.add(endpoint.host(), endpoint.port(), user, saved);
        } catch (IOException | IllegalArgumentException e) {
            throw new ClientException(ExitCodes.AUTH, "cannot save the new keys of " + user + ": " + e.getMessage(), e);
        }
        Reply reply = bank.call(new Request.Register(user, keys.verifier()));
        // A refusal that leaves the registration's outcome unknown (a cluster node that could not get it through)
        // keeps the keys, as a break does: USER may exist with them, and the next node must log in with them.
        if (!reply.ok()) {
            if (ExitCodes.indefinite(reply.error().code())) {
                return reply;
            }
            try {
                credentials.remove(endpoint.host(), endpoint.port(), user, saved);
            } catch (IOException e) {
                err.println("warning: could not take the unused keys of " + user + " out of " + credentials.path()
                        + ": " + e.getMessage());
            }
            return reply;
        }
        err.println(
                "note: registered " + user + " at " + endpoint + "; its login keys are saved in " + credentials.path());
        return reply;
    }

    /**
     * After a login with a password from the credentials file, puts the keys derived from it there instead: later
     * logins skip the key stretching, and the file no longer holds a password good elsewhere. A password from
     * {@code --password-file} or {@code BANK_PASSWORD} is never written anywhere.
     */
    private void keepKeys(Secret found, Scram.ClientKeys keys) {
        String secret = found.secret();
        if (found.savedFor() == null || Scram.ClientKeys.decode(secret).isPresent()) {
            return;
        }
        Endpoint saved = found.savedFor();
        try {
            credentials.replace(saved.host(), saved.port(), user, secret, keys.encode());
        } catch (IOException | IllegalArgumentException e) {
            err.println("warning: could not replace the password of " + user + " in " + credentials.path()
                    + " by its keys: " + e.getMessage());
        }
    }

    /** After {@code passwd}: the keys of the new password replace the saved secret, if one was saved. */
    boolean replaceSaved(String old, Scram.ClientKeys keys) throws IOException {
        if (passwordFile != null || hasEnvPassword()) {
            return false;
        }
        Optional<Secret> saved = saved();
        Endpoint on = saved.isPresent() && saved.get().secret().equals(old)
                ? saved.get().savedFor()
                : endpoint;
        return credentials.replace(on.host(), on.port(), user, old, keys.encode());
    }

    /** The secret saved in the credentials file for USER at this server, else at another node of its cluster. */
    Optional<String> savedSecret() {
        return saved().map(Secret::secret);
    }

    Endpoint endpoint() {
        return endpoint;
    }

    CredentialsFile credentials() {
        return credentials;
    }

    private boolean hasEnvPassword() {
        String fromEnv = env.get("BANK_PASSWORD");
        return fromEnv != null && !fromEnv.isEmpty();
    }

    /** The password from the first source that has one (see the class comment), or empty for none. */
    Optional<String> password() {
        return secret().map(Secret::secret);
    }

    /**
     * A password or saved keys, and the server whose line of the credentials file held it (null when it came from
     * {@code --password-file} or {@code BANK_PASSWORD}).
     */
    private record Secret(String secret, Endpoint savedFor) {}

    private Optional<Secret> secret() {
        if (passwordFile != null) {
            return Optional.of(new Secret(fromPasswordFile(), null));
        }
        if (hasEnvPassword()) {
            return Optional.of(new Secret(env.get("BANK_PASSWORD"), null));
        }
        return saved();
    }

    private Optional<Secret> saved() {
        for (Endpoint server : cluster) { // this server first, then the other nodes of its cluster
            Optional<String> saved = credentials.find(server.host(), server.port(), user);
            if (saved.isPresent()) {
                return Optional.of(new Secret(saved.get(), server));
            }
        }
        return Optional.empty();
    }

    private String fromPasswordFile() {
        String first;
        try (BufferedReader reader = Files.newBufferedReader(passwordFile, StandardCharsets.UTF_8)) {
            first = reader.readLine();
        } catch (IOException e) {
            throw new ClientException(
                    ExitCodes.AUTH,
                    "cannot read password file " + passwordFile + ": " + ClientException.describe(e),
                    e);
        }
        if (first == null || first.isEmpty()) {
            throw new ClientException(
                    ExitCodes.AUTH, "no password in password file " + passwordFile + ": its first line is empty");
        }
        return first;
    }

    static String newPassword() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
