/**
 * Who may call the bank: user enrolment and login, passwords kept only as salted PBKDF2 hashes, and a login
 * throttle against password guessing.
 *
 * <p>Stable: {@link com.abcbank.server.auth.Users} ({@code open}, {@code register}, {@code login}), which turns
 * a name and password into a {@link com.abcbank.ledger.Caller} or a refusal, and the {@code DATA/users} file
 * format it reads and appends. Internal, package-private: {@code PasswordHasher} (the hash and its encoding) and
 * {@code LoginThrottle} (the back-off table, bounded, on the injected clock).
 *
 * <p>Passwords are never logged, and never kept: only their hashes reach the disk.
 */
package com.abcbank.server.auth;
