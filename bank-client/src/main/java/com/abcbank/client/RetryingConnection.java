package com.abcbank.client;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * A connection to the bank that is made again, once, when it breaks before an answer arrives.
 *
 * <p>Why sending again is safe: every money movement carries an idempotency key ({@link MoneyCommand}), and
 * the server answers a repeat of a key with the first attempt's result (same transaction number) and moves
 * nothing more; reads change nothing. So when the connection resets, ends or times out after a request went
 * out, and the request may or may not have run, sending the same record again (same key) on a new connection,
 * logged in again, turns "unknown" into the one true answer.
 *
 * <p>Why only once per command: a second break says the server or the network is in trouble. Going on would
 * only hide that, so the command stops with exit 75, and for a money movement names its key: the same command
 * run again with {@code --key} finishes it, still at most once.
 */
final class RetryingConnection implements ResendingConnection {
    private final Supplier<BankConnection> reconnect;
    private final PrintWriter err;
    private BankConnection bank;
    private boolean reconnected;

    /**
     * @param bank      a connection, logged in
     * @param reconnect opens and logs in another (it must not enrol: the first one already did, if it had to)
     * @param err       where the note about a retry goes
     */
    RetryingConnection(BankConnection bank, Supplier<BankConnection> reconnect, PrintWriter err) {
        this.bank = bank;
        this.reconnect = reconnect;
        this.err = err;
    }

    /**
     * Sends {@code request} and returns its reply, sending it once more on a new connection if the first one
     * breaks. {@code what} names the command in messages ({@code withdraw}).
     */
    @Override
    public Reply call(Request request, String what) {
        try {
            return bank.call(request);
        } catch (BankConnection.Lost lost) {
            String key = IdempotencyKeys.of(request);
            if (reconnected) { // a later request (a page) on the second connection: no third
                throw gaveUp(key, lost, what + " was not answered on the second connection (" + lost.reason + ")");
            }
            reconnected = true;
            bank.close();
            err.println(
                    "note: " + lost.reason + " before " + what + " was answered; connecting again to send it once more"
                            + (key == null ? "" : " with the same key " + key));
            try {
                bank = reconnect.get();
            } catch (ClientException again) { // could not connect or log in again
                throw gaveUp(
                        key,
                        again,
                        what + " was sent once and not answered, and could not be sent again (" + again.getMessage()
                                + ")");
            }
            try {
                return bank.call(request);
            } catch (ClientException again) {
                String reason = again instanceof BankConnection.Lost second ? second.reason : again.getMessage();
                throw gaveUp(key, again, what + " was sent twice and not answered (" + reason + ")");
            }
        }
    }

    /**
     * The second failure: as it is for a read (nothing to undo or finish), and for a money movement as exit 75,
     * outcome unknown, with the key that can finish it.
     */
    static ClientException gaveUp(String key, ClientException failure, String story) {
        if (key == null) {
            return failure;
        }
        return new ClientException(
                ExitCodes.UNAVAILABLE,
                "outcome unknown: " + story + ", so it may or may not have" + " taken effect. "
                        + IdempotencyKeys.finishHint(key),
                failure);
    }

    @Override
    public void close() {
        bank.close();
    }
}
