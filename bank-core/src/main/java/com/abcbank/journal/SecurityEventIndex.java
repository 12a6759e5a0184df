package com.abcbank.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail's index: where the security events lie in the journal's segments, so that a page of them is read
 * back from disk. Events are numbered 1, 2, 3... in journal order; the number is an event's place, not a field of its
 * record, so nothing needs recovering to go on numbering.
 *
 * <h2>What is held, and why memory stays bounded</h2>
 * Only positions, and only of every {@value #STRIDE}th event (segment ordinal and byte offset in one {@code long}, as
 * in {@link PositionIndex}): half a byte an event. A page seeks to the indexed event at or before its cursor and reads
 * on through {@link FrameScanner}'s window, skipping transactions. No event is held as an object. The server records
 * at most about a hundred events a second however hard it is flooded (its {@code SecurityEvents} aggregates), so a
 * flood of a day adds some 4 MiB here at worst.
 *
 * <h2>Two sources, one order</h2>
 * <ol>
 *   <li>The recovered journal: at start one daemon thread, {@code security-event-index}, reads every segment up to
 *       where the writer opened ({@code openedSegment} at {@code openedBytes}; recovery has cut any torn tail), in
 *       the background like the history's indexer, and counts the events it finds.
 *   <li>New events: the flusher tells {@link #durable} where each one lies once it is durable, in journal order. Until
 *       the recovered part is counted, those wait in {@link #pending} (numbers come after the recovered ones).
 * </ol>
 * Segment ordinals follow the journal's order: the recovered segments by name, then each segment the flusher reports
 * as it moves on. A segment with no events never gets an ordinal and is never read for events, which is right.
 *
 * <p>Reads take this object's monitor only to copy the counts and array references (arrays are replaced when they
 * grow, and an entry once written never changes), then read the files without it. A page never reads past the last
 * counted event, which is durable and whole; the frames before it are too.
 */
final class SecurityEventIndex implements JournalWriter.EventPositions {
    private static final Logger log = LoggerFactory.getLogger(SecurityEventIndex.class);
    static final int STRIDE = 16;
    /**
     * The most frames a filtered page reads once it has passed its cursor; a page cut short returns the last event it
     * examined as {@code next} (the bound of {@code show_history}'s scan, too).
     */
    static final int SCAN_BUDGET = 100_000;

    private final Path openedSegment;
    private final long openedBytes;
    private final List<Path> recoveredSegments;

    // Guarded by this.
    private Path[] segments = new Path[0];
    private long[] sparse = new long[64];
    private long count;
    private boolean ready;
    private IOException unreadable;
    private long[] pending = new long[16];
    private int pendingCount;
    /** Events the flusher reported since the journal was opened. */
    private long reported;

    /**
     * @param segments      the journal's segments when the writer opened, in order
     * @param openedSegment where the writer appends from ({@code openedBytes}): every event before is recovered
     */
    SecurityEventIndex(List<Path> segments, Path openedSegment, long openedBytes) {
        List<Path> recovered = new ArrayList<>(segments);
        if (!recovered.contains(openedSegment)) {
            recovered.add(openedSegment); // the writer made it (an empty journal, or one cut to nothing)
        }
        this.recoveredSegments = List.copyOf(recovered);
        this.openedSegment = openedSegment;
        this.openedBytes = openedBytes;
        this.segments = recovered.toArray(Path[]::new);
    }

    /** Counts the recovered journal's events on a daemon thread. */
    void start() {
        Thread thread = new Thread(this::countRecovered, "security-event-index");
        thread.setDaemon(true);
        thread.start();
    }

    private void countRecovered() {
        long started = System.nanoTime();
        long[] found = new long[64];
        long events = 0;
        try {
            for (int ordinal = 0; ordinal < recoveredSegments.size(); ordinal++) {
                Path segment = recoveredSegments.get(ordinal);
                boolean tail = segment.equals(openedSegment);
                if (tail && openedBytes == 0) {
                    break;
                }
                try (FrameScanner scanner = FrameScanner.open(segment, 0)) {
                    for (Scanned next = scanner.next(); next != null; next = scanner.next()) {
                        if (tail && next.offset() >= openedBytes) {
                            break;
                        }
                        if (!(next instanceof Scanned.Frame frame)) {
                            throw new IOException(segment + ": not a whole record at byte " + next.offset());
                        }
                        if (RecordCodec.isEvent(frame.payload())) {
                            found = addTo(found, events++, PositionIndex.position(ordinal, frame.offset()));
                        }
                    }
                }
                if (tail) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("security events: the journal's trail could not be indexed; show_security_events fails", e);
            synchronized (this) {
                unreadable = e instanceof IOException io ? io : new IOException(e);
                notifyAll();
            }
            return;
        }
        synchronized (this) {
            sparse = found;
            count = events;
            for (int i = 0; i < pendingCount; i++) {
                add(pending[i]);
            }
            pending = null;
            ready = true;
            notifyAll();
        }
        log.info(
                "security events: {} in the recovered journal, indexed in {} ms",
                events,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Notes the position of event number {@code index + 1} in {@code sparse} if it is a {@value #STRIDE}th one. */
    private static long[] addTo(long[] sparse, long index, long position) {
        if (index % STRIDE != 0) {
            return sparse;
        }
        int slot = Math.toIntExact(index / STRIDE);
        long[] room = slot < sparse.length ? sparse : Arrays.copyOf(sparse, sparse.length * 2);
        room[slot] = position;
        return room;
    }

    private void add(long position) {
        sparse = addTo(sparse, count++, position);
    }

    @Override
    public synchronized void durable(Path segment, long offset) {
        int ordinal = segments.length - 1;
        if (!segments[ordinal].equals(segment)) {
            segments = Arrays.copyOf(segments, segments.length + 1);
            ordinal = segments.length - 1;
            segments[ordinal] = segment;
        }
        long position = PositionIndex.position(ordinal, offset);
        reported++;
        if (ready) {
            add(position);
        } else {
            if (pendingCount == pending.length) {
                pending = Arrays.copyOf(pending, pending.length * 2);
            }
            pending[pendingCount++] = position;
        }
        notifyAll();
    }

    /**
     * Waits until the recovered journal is counted and the flusher reported at least {@code newEvents} events since
     * the journal opened, for at most {@code timeoutMs}: a page then shows every event buffered before it was asked
     * for, and none that is not durable. Returns false if the wait ended at the timeout.
     */
    synchronized boolean await(long newEvents, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (unreadable == null && (!ready || reported < newEvents)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        if (unreadable != null) {
            throw new IOException("the journal's security events could not be indexed: " + unreadable.getMessage());
        }
        return ready && reported >= newEvents;
    }

    synchronized boolean ready() {
        return ready;
    }

    /** The events counted so far. */
    synchronized long count() {
        return count;
    }

    /** A page of events as {@code query} asks, read from the files. Call once {@link #ready()}. */
    SecurityEventPage page(SecurityEventQuery query) throws IOException {
        long total;
        long[] positions;
        Path[] files;
        synchronized (this) {
            if (!ready) {
                throw new NotReadyException("the journal's security events are still being indexed; retry shortly");
            }
            total = count;
            positions = sparse;
            files = segments;
        }
        long start = query.after() + 1;
        if (start > total) {
            return SecurityEventPage.EMPTY;
        }
        int slot = Math.toIntExact((start - 1) / STRIDE);
        long number = (long) slot * STRIDE; // of the last event passed
        long position = positions[slot];
        List<SecurityEvent> found = new ArrayList<>(Math.min(query.limit(), 64));
        long framesRead = 0;
        long offset = PositionIndex.offset(position);
        for (int ordinal = PositionIndex.segmentOrdinal(position); ordinal < files.length; ordinal++) {
            try (FrameScanner scanner = FrameScanner.open(files[ordinal], offset)) {
                for (Scanned.Frame frame = scanner.nextRecord(); frame != null; frame = scanner.nextRecord()) {
                    if (number >= start && ++framesRead > SCAN_BUDGET) {
                        return new SecurityEventPage(found, number); // the budget: go on from here next page
                    }
                    if (!RecordCodec.isEvent(frame.payload())) {
                        continue;
                    }
                    number++;
                    if (number >= start) {
                        SecurityEvent event = RecordCodec.decodeEvent(frame.payload(), number);
                        if (query.matches(event)) {
                            found.add(event);
                        }
                    }
                    if (number == total) {
                        return new SecurityEventPage(found, null); // never read on towards a frame being written
                    }
                    if (found.size() == query.limit()) {
                        return new SecurityEventPage(found, number);
                    }
                }
            }
            offset = 0;
        }
        throw new IOException("the journal ends after security event " + number + " of " + total);
    }
}
