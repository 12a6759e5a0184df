package com.abcbank.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Role;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The submitter against a log the test controls: what goes into which entry, that every command is answered by its
 * own deadline whatever the log does, that a failed appender is replaced, and that closing answers what waits.
 */
class SubmitterTest {
    private static final long WAIT_S = 10;

    /** One append: its commands, and the future the test completes. */
    private record Append(
            FakeAppender to, List<Command> commands, boolean idempotent, CompletableFuture<byte[]> result) {
        void answer() {
            List<Outcome<?>> outcomes = new ArrayList<>();
            commands.forEach(c -> outcomes.add(Outcome.ok(new Result.User(c.user(), "CUSTOMER"))));
            result.complete(Entries.replies(outcomes));
        }
    }

    private final LinkedBlockingQueue<Append> appends = new LinkedBlockingQueue<>();
    private final List<FakeAppender> appenders = new ArrayList<>();
    private Submitter submitter;

    private final class FakeAppender implements Submitter.Appender {
        private final Function<Append, CompletableFuture<byte[]>> behaviour;
        volatile boolean closed;

        FakeAppender(Function<Append, CompletableFuture<byte[]>> behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        public CompletableFuture<byte[]> append(byte[] message, boolean idempotent) {
            List<Command> commands;
            try {
                commands = Entries.readMessage(message);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            Append append = new Append(this, commands, idempotent, new CompletableFuture<>());
            appends.add(append);
            return behaviour.apply(append);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A submitter whose appenders behave as {@code behaviours} say, one per appender it asks for, in turn. */
    @SafeVarargs
    private Submitter start(int timeoutMs, Function<Append, CompletableFuture<byte[]>>... behaviours) {
        AtomicInteger made = new AtomicInteger();
        submitter = new Submitter(
                () -> {
                    FakeAppender appender = new FakeAppender(behaviours[made.getAndIncrement()]);
                    synchronized (appenders) {
                        appenders.add(appender);
                    }
                    return appender;
                },
                timeoutMs);
        return submitter;
    }

    @AfterEach
    void close() {
        if (submitter != null) {
            submitter.close();
        }
    }

    private static Command command(String user) {
        return new Command(Command.Kind.MONEY, user, Role.CUSTOMER, new Request.Transfer("1001", "1002", 1), "");
    }

    private Append nextAppend() throws InterruptedException {
        Append append = appends.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(append, "no append within " + WAIT_S + " s");
        return append;
    }

    private static List<String> users(List<Command> commands) {
        return commands.stream().map(Command::user).toList();
    }

    private static Outcome<?> answer(CompletableFuture<Outcome<?>> reply) throws Exception {
        return reply.get(WAIT_S, TimeUnit.SECONDS);
    }

    /** Whose command a reply answers: the fake log answers each with its user. */
    private static String user(Outcome<?> reply) {
        return ((Result.User) reply.value()).user();
    }

    @Test
    void commandsThatArriveWhileAnEntryIsOutGoTogetherInTheNextInOrder() throws Exception {
        Submitter submitter = start(10_000, Append::result);
        CompletableFuture<Outcome<?>> a = submitter.submit(command("a"), false);
        Append first = nextAppend();
        assertEquals(List.of("a"), users(first.commands()));

        List<CompletableFuture<Outcome<?>>> waiting = new ArrayList<>();
        for (String user : List.of("b", "c", "d")) {
            waiting.add(submitter.submit(command(user), false));
        }
        assertTrue(appends.isEmpty(), "nothing else is sent while the first entry is out");
        first.answer();
        assertEquals("a", user(answer(a)));

        Append second = nextAppend();
        assertEquals(List.of("b", "c", "d"), users(second.commands()), "one entry, in the order they came");
        second.answer();
        for (int i = 0; i < waiting.size(); i++) {
            assertEquals(List.of("b", "c", "d").get(i), user(answer(waiting.get(i))));
        }
    }

    @Test
    void aBatchMayBeSentAgainOnlyIfEveryCommandInItMay() throws Exception {
        Submitter submitter = start(10_000, Append::result);
        CompletableFuture<Outcome<?>> a = submitter.submit(command("a"), true);
        Append first = nextAppend();
        assertTrue(first.idempotent(), "a lone keyed command");

        CompletableFuture<Outcome<?>> b = submitter.submit(command("b"), true);
        CompletableFuture<Outcome<?>> c = submitter.submit(command("c"), false);
        first.answer();
        Append second = nextAppend();
        assertEquals(List.of("b", "c"), users(second.commands()));
        assertFalse(second.idempotent(), "c may not be applied twice, so neither may the batch that holds it");
        second.answer();

        CompletableFuture<Outcome<?>> d = submitter.submit(command("d"), true);
        CompletableFuture<Outcome<?>> e = submitter.submit(command("e"), true);
        Append third = nextAppend();
        // d may have gone alone before e came: every batch of keyed commands only is idempotent.
        assertTrue(third.idempotent());
        third.answer();
        if (third.commands().size() == 1) {
            Append fourth = nextAppend();
            assertTrue(fourth.idempotent());
            fourth.answer();
        }
        for (var reply : List.of(a, b, c, d, e)) {
            assertTrue(answer(reply).isOk());
        }
    }

    @Test
    void everyCommandIsAnsweredByItsOwnDeadlineNotItsBatchmates() throws Exception {
        int timeoutMs = 2_000; // long enough that a loaded machine does not let b's pass before a is answered
        Submitter submitter = start(timeoutMs, Append::result);
        CompletableFuture<Outcome<?>> a = submitter.submit(command("a"), false);
        Append first = nextAppend();
        long bSent = System.nanoTime();
        CompletableFuture<Outcome<?>> b = submitter.submit(command("b"), false); // waits for a's place
        assertThrows(TimeoutException.class, () -> b.get(timeoutMs / 2, TimeUnit.MILLISECONDS), "b answered early");
        long cSent = System.nanoTime();
        CompletableFuture<Outcome<?>> c = submitter.submit(command("c"), false); // half a timeout younger than b
        first.answer();
        assertTrue(answer(a).isOk());
        Append second = nextAppend(); // never answered
        assertEquals(List.of("b", "c"), users(second.commands()));

        Outcome<?> bReply = answer(b);
        long bWaitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bSent);
        long dSent = System.nanoTime();
        CompletableFuture<Outcome<?>> d = submitter.submit(command("d"), false); // while c's entry is out, unanswered
        Outcome<?> cReply = answer(c);
        long cWaitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cSent);
        Outcome<?> dReply = answer(d);
        long dWaitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dSent);

        for (Outcome<?> reply : List.of(bReply, cReply, dReply)) {
            assertEquals(ErrorCode.CLUSTER_UNAVAILABLE, reply.error());
            assertTrue(reply.message().contains("did not confirm this within"), reply.message());
        }
        // Timers never fire early: each waited its whole timeout, not to the end of an older command's.
        assertTrue(bWaitedMs >= timeoutMs, "b answered after " + bWaitedMs + " ms");
        assertTrue(cWaitedMs >= timeoutMs, "c answered after " + cWaitedMs + " ms");
        assertTrue(dWaitedMs >= timeoutMs, "d answered after " + dWaitedMs + " ms");
    }

    @Test
    void aFailedAppenderIsClosedAndTheNextBatchGoesThroughANewOne() throws Exception {
        Submitter submitter = start(
                10_000, append -> CompletableFuture.failedFuture(new IOException("no more retries")), Append::result);
        Outcome<?> failed = answer(submitter.submit(command("a"), false));
        assertEquals(ErrorCode.CLUSTER_UNAVAILABLE, failed.error());
        assertTrue(failed.message().contains("no more retries"), failed.message());
        FakeAppender broken = nextAppend().to();

        CompletableFuture<Outcome<?>> b = submitter.submit(command("b"), false);
        Append second = nextAppend();
        assertTrue(second.to() != broken, "b went to a new appender");
        assertTrue(broken.closed, "the failed appender is closed");
        second.answer();
        assertEquals("b", user(answer(b)));
    }

    @Test
    void aCommandAnsweredAtItsDeadlineBeforeItsBatchFormedIsNeverSent() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // a and b wait out their whole timeout; c must then be sent and answered within its own: 1 s, not less, so
        // that a loaded machine does not let c's deadline pass too.
        Submitter submitter = start(1_000, append -> {
            if (append.commands().get(0).user().equals("a")) {
                try { // the submitting thread stuck in the client (as in Ratis's cap on outstanding requests)
                    release.await(WAIT_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return append.result(); // a's is never completed
        });
        CompletableFuture<Outcome<?>> a = submitter.submit(command("a"), false);
        nextAppend();
        CompletableFuture<Outcome<?>> b = submitter.submit(command("b"), false);
        assertEquals(ErrorCode.CLUSTER_UNAVAILABLE, answer(b).error(), "b at its deadline");
        assertEquals(ErrorCode.CLUSTER_UNAVAILABLE, answer(a).error(), "a at its deadline");
        release.countDown();

        CompletableFuture<Outcome<?>> c = submitter.submit(command("c"), false);
        Append next = nextAppend();
        assertEquals(List.of("c"), users(next.commands()), "b, answered already, was left out");
        next.answer();
        assertEquals("c", user(answer(c)));
    }

    @Test
    void closingAnswersWhatWaitsAndRefusesWhatComesAfter() throws Exception {
        Submitter submitter = start(60_000, Append::result);
        var unused = submitter.submit(command("a"), false); // stays out: the appender never answers
        nextAppend();
        CompletableFuture<Outcome<?>> b = submitter.submit(command("b"), false);
        submitter.close();
        assertEquals(ErrorCode.SHUTTING_DOWN, answer(b).error(), "long before its 60 s deadline");
        assertEquals(
                ErrorCode.SHUTTING_DOWN,
                answer(submitter.submit(command("c"), false)).error());
        assertTrue(appenders.get(0).closed, "the appender is closed");
    }
}
