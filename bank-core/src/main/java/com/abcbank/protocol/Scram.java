package com.abcbank.protocol;

import com.ongres.scram.common.ClientFinalMessage;
import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ScramMechanism;
import com.ongres.scram.common.ServerFinalMessage;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.StringPreparation;
import com.ongres.scram.common.exception.ScramException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677), the login of PostgreSQL and Kafka: the secrets each side keeps, and the
 * client's half of the exchange. The password never crosses the wire: the server keeps a {@link Verifier}, the
 * client proves it knows the password (or the {@link ClientKeys} derived from it), and checks the server's
 * signature in turn, so it knows it talks to the server it registered with.
 *
 * <p>The message syntax, SASLprep and the key functions are {@code com.ongres.scram}'s (the PostgreSQL JDBC
 * driver's); this class only says which secrets are kept where and in what order the messages go.
 */
public final class Scram {
    public static final ScramMechanism MECHANISM = ScramMechanism.SCRAM_SHA_256;
    /** RFC 7677's floor for the iteration count; the server refuses fewer. */
    public static final int MIN_ITERATIONS = 4096;
    /** A ceiling, so that a registration cannot make every later login of its user a minute of client CPU. */
    public static final int MAX_ITERATIONS = 10_000_000;
    /** For a password a person chose: OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    public static final int PASSWORD_ITERATIONS = 600_000;
    /**
     * For a random secret of 192 bits, as the client makes when it enrols a user by itself: stretching adds nothing
     * to a secret no one can guess, so the floor is enough.
     */
    public static final int RANDOM_SECRET_ITERATIONS = MIN_ITERATIONS;

    public static final int SALT_BYTES = 16;
    public static final int MAX_SALT_BYTES = 64;
    public static final int KEY_BYTES = 32;

    /** How {@link ClientKeys} are written in a credentials file, where a password would be. */
    static final String KEYS_PREFIX = "SCRAM-SHA-256$";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final Pattern KEYS = Pattern.compile(
            Pattern.quote(KEYS_PREFIX) + "(\\d{1,9}):([A-Za-z0-9+/=]+)\\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)");

    private Scram() {}

    /**
     * What the server keeps of a password: the RFC's salt, iteration count, StoredKey and ServerKey. It cannot log
     * in with them (StoredKey is a hash of the key a login needs), but they are enough to test a guessed password,
     * so they are as private as a password hash.
     */
    // Identity equals on purpose: keys are compared only in constant time, and toString prints no key bytes.
    @SuppressWarnings("ArrayRecordComponent")
    public record Verifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        /** Why these cannot be a verifier the server keeps, or empty if they can. */
        public Optional<String> invalid() {
            if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
                return Optional.of("iterations must be " + MIN_ITERATIONS + " to " + MAX_ITERATIONS);
            }
            if (salt == null || salt.length < SALT_BYTES || salt.length > MAX_SALT_BYTES) {
                return Optional.of("salt must be " + SALT_BYTES + " to " + MAX_SALT_BYTES + " bytes");
            }
            if (storedKey == null
                    || storedKey.length != KEY_BYTES
                    || serverKey == null
                    || serverKey.length != KEY_BYTES) {
                return Optional.of("stored_key and server_key must be " + KEY_BYTES + " bytes each");
            }
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "Verifier[iterations=" + iterations + ", keys=***]";
        }
    }

    /**
     * What a client may keep instead of the password: the salt and iteration count the keys were derived with,
     * ClientKey and ServerKey. With them a login needs no key stretching. ClientKey logs in to this server as the
     * user, so it is kept like a password (mode 600); unlike the password, it is of no use anywhere else.
     */
    @SuppressWarnings("ArrayRecordComponent") // as Verifier
    public record ClientKeys(int iterations, byte[] salt, byte[] clientKey, byte[] serverKey) {
        /** The verifier the server keeps for these keys. */
        public Verifier verifier() {
            return new Verifier(iterations, salt.clone(), ScramFunctions.hash(MECHANISM, clientKey), serverKey.clone());
        }

        /** The form kept in a credentials file: {@code SCRAM-SHA-256$ITERATIONS:SALT$CLIENTKEY:SERVERKEY}. */
        public String encode() {
            return KEYS_PREFIX + iterations + ":" + B64.encodeToString(salt) + "$" + B64.encodeToString(clientKey) + ":"
                    + B64.encodeToString(serverKey);
        }

        /** The keys in {@code secret}, if it is in the form {@link #encode} writes (else it is a password). */
        public static Optional<ClientKeys> decode(String secret) {
            Matcher m = KEYS.matcher(secret);
            if (!m.matches()) {
                return Optional.empty();
            }
            try {
                ClientKeys keys = new ClientKeys(
                        Integer.parseInt(m.group(1)),
                        B64D.decode(m.group(2)),
                        B64D.decode(m.group(3)),
                        B64D.decode(m.group(4)));
                return keys.verifier().invalid().isEmpty() ? Optional.of(keys) : Optional.empty();
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        boolean derivedWith(byte[] otherSalt, int otherIterations) {
            return iterations == otherIterations && MessageDigest.isEqual(salt, otherSalt);
        }

        @Override
        public String toString() {
            return "ClientKeys[iterations=" + iterations + ", keys=***]";
        }
    }

    /** The keys of {@code password} under a new random salt: what a client registers or changes a password with. */
    public static ClientKeys newKeys(char[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return derive(password, salt, iterations);
    }

    /** The keys of {@code password} under {@code salt}: one PBKDF2 of {@code iterations} rounds, the costly step. */
    public static ClientKeys derive(char[] password, byte[] salt, int iterations) {
        return fromSaltedPassword(
                ScramFunctions.saltedPassword(
                        MECHANISM, StringPreparation.SASL_PREPARATION, password, salt, iterations),
                salt,
                iterations);
    }

    /** The keys of a SaltedPassword (the PBKDF2 result), which is what a PBKDF2 password hash is. */
    public static ClientKeys fromSaltedPassword(byte[] saltedPassword, byte[] salt, int iterations) {
        return new ClientKeys(
                iterations,
                salt.clone(),
                ScramFunctions.clientKey(MECHANISM, saltedPassword),
                ScramFunctions.serverKey(MECHANISM, saltedPassword));
    }

    /**
     * The client's half of one login: {@link #clientFirst}, then {@link #clientFinal} of the server's first
     * message, then {@link #checkServerFinal}. Not thread-safe; one per login.
     */
    public static final class ClientExchange {
        private final char[] password;
        private final ClientFirstMessage first;
        private ClientKeys keys;
        private String authMessage;

        private ClientExchange(String user, char[] password, ClientKeys keys) {
            this.password = password;
            this.keys = keys;
            this.first = new ClientFirstMessage(user, ScramFunctions.nonce(24, RANDOM));
        }

        /** A login with the password: costs one PBKDF2 at the iteration count the server names. */
        public static ClientExchange withPassword(String user, char[] password) {
            return new ClientExchange(user, password.clone(), null);
        }

        /**
         * A login with kept keys, and the password to fall back on if the server's salt is no longer theirs
         * ({@code null}: none; the login then fails with {@link StaleKeysException}).
         */
        public static ClientExchange withKeys(String user, ClientKeys keys, char[] password) {
            return new ClientExchange(user, password == null ? null : password.clone(), keys);
        }

        /** The client-first-message: {@code n,,n=USER,r=NONCE}. */
        public String clientFirst() {
            return first.toString();
        }

        /** The client-final-message for the server's first message: {@code c=biws,r=NONCE,p=PROOF}. */
        public String clientFinal(String serverFirst) throws ScramException {
            try {
                return clientFinalOf(serverFirst);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ScramException("the server's first message is not SCRAM: " + e.getMessage(), e);
            }
        }

        private String clientFinalOf(String serverFirst) throws ScramException {
            ServerFirstMessage server = ServerFirstMessage.parseFrom(serverFirst, first.getClientNonce());
            if (server.getServerNonce().isEmpty()) {
                throw new ScramException("the server added no nonce of its own to the client's");
            }
            byte[] salt = B64D.decode(server.getSalt());
            int iterations = server.getIterationCount();
            if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
                throw new ScramException("the server asked for " + iterations + " iterations; a client takes "
                        + MIN_ITERATIONS + " to " + MAX_ITERATIONS);
            }
            if (keys == null || !keys.derivedWith(salt, iterations)) {
                if (password == null) {
                    throw new StaleKeysException();
                }
                keys = derive(password, salt, iterations);
            }
            authMessage = ScramFunctions.authMessage(first, server, null);
            byte[] storedKey = ScramFunctions.hash(MECHANISM, keys.clientKey());
            byte[] proof = ScramFunctions.clientProof(
                    keys.clientKey(), ScramFunctions.clientSignature(MECHANISM, storedKey, authMessage));
            return new ClientFinalMessage(first.getGs2Header(), null, server.getNonce(), proof).toString();
        }

        /** Checks the server-final-message: throws unless the server proved it holds this user's ServerKey. */
        public void checkServerFinal(String serverFinal) throws ScramException {
            if (authMessage == null) {
                throw new IllegalStateException("clientFinal first");
            }
            ServerFinalMessage server;
            try {
                server = ServerFinalMessage.parseFrom(serverFinal);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ScramException("the server's final message is not SCRAM: " + e.getMessage(), e);
            }
            if (server.isError()) {
                throw new ScramException("the server refused the proof: " + server.getServerError());
            }
            if (!ScramFunctions.verifyServerSignature(MECHANISM, keys.serverKey(), authMessage, server.getVerifier())) {
                throw new ScramException("the server's signature is wrong: it does not hold this user's keys");
            }
        }

        /** The keys this login used: those it was given, or those it derived from the password. */
        public ClientKeys keys() {
            return keys;
        }
    }

    /** One request and its reply, over whatever connection a client has. */
    @FunctionalInterface
    public interface Call {
        Reply call(Request request) throws IOException;
    }

    /**
     * Runs a whole login over {@code call}: {@code login}, then {@code login_final}, then checks the server's
     * signature. Returns the last reply: the refusal of either step, or the success, whose result is a
     * {@link Result.User}.
     *
     * @throws ScramException the server's messages are not SCRAM, or its signature is wrong (it does not hold the
     *                        user's keys: not the bank the user registered with), or kept keys are stale
     */
    public static Reply login(Call call, ClientExchange exchange) throws IOException, ScramException {
        Reply first = call.call(new Request.Login(exchange.clientFirst()));
        if (!first.ok()) {
            return first;
        }
        Result.Challenge challenge = Json.convert(first.result(), Result.Challenge.class);
        Reply last = call.call(new Request.LoginFinal(exchange.clientFinal(challenge.serverFirst())));
        if (last.ok()) {
            exchange.checkServerFinal(
                    Json.convert(last.result(), Result.User.class).serverFinal());
        }
        return last;
    }

    /** Kept keys were derived under a salt or iteration count the server no longer uses: the password changed. */
    public static final class StaleKeysException extends ScramException {
        private static final long serialVersionUID = 1L;

        StaleKeysException() {
            super("the kept keys are not the server's any more (the password was changed); log in with the password");
        }
    }

    /**
     * The verifier that {@code register} or {@code passwd} sends, checked: {@link IllegalArgumentException} with a
     * message fit for the client if a field is not base64 or out of bounds.
     */
    public static Verifier verifier(String salt, int iterations, String storedKey, String serverKey) {
        Verifier verifier;
        try {
            verifier = new Verifier(iterations, fromBase64(salt), fromBase64(storedKey), fromBase64(serverKey));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("salt, stored_key and server_key must be base64", e);
        }
        verifier.invalid().ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        return verifier;
    }

    /**
     * Loads and initialises what a login needs (the JDK's random source and HMAC-SHA256, SASLprep's tables) without
     * logging in: a client calls it on a spare thread while it does other work at start.
     */
    public static void warmUp() {
        ClientKeys keys =
                new ClientKeys(MIN_ITERATIONS, new byte[SALT_BYTES], new byte[KEY_BYTES], new byte[KEY_BYTES]);
        ClientExchange exchange = ClientExchange.withKeys("warm-up", keys, null);
        try {
            exchange.clientFinal(
                    "r=" + exchange.first.getClientNonce() + "x,s=" + base64(keys.salt()) + ",i=" + MIN_ITERATIONS);
        } catch (ScramException e) {
            throw new IllegalStateException("a warm-up exchange failed", e);
        }
    }

    /** Base64, as in the protocol's key fields. */
    public static String base64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    /** Decodes a base64 field; {@link IllegalArgumentException} if it is not base64. */
    public static byte[] fromBase64(String text) {
        return B64D.decode(text);
    }
}
