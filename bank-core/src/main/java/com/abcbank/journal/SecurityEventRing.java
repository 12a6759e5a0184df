package com.abcbank.journal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit trail without a journal ({@link Durability#NONE}, the test and demo mode): the last {@value #CAPACITY}
 * events in memory, numbered as they come; older ones are forgotten (the demo mode keeps nothing on disk either).
 * Thread-safe by its monitor, held for O(page) at most.
 */
final class SecurityEventRing {
    static final int CAPACITY = 10_000;

    private final ArrayDeque<SecurityEvent> events = new ArrayDeque<>();
    private long last;

    synchronized void add(SecurityEvent event) {
        if (events.size() == CAPACITY) {
            events.removeFirst();
        }
        events.addLast(event.numbered(++last));
    }

    synchronized SecurityEventPage page(SecurityEventQuery query) {
        List<SecurityEvent> found = new ArrayList<>();
        for (SecurityEvent event : events) {
            if (event.number() <= query.after() || !query.matches(event)) {
                continue;
            }
            found.add(event);
            if (found.size() == query.limit()) {
                return new SecurityEventPage(found, event.number() < last ? event.number() : null);
            }
        }
        return new SecurityEventPage(found, null);
    }
}
