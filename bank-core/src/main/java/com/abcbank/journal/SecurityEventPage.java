package com.abcbank.journal;

import java.util.List;

/**
 * A page of security events in trail order, and the cursor for the next page: {@code next} is {@code null} when the
 * page reached the last event recorded so far (more may come later), else pass it as the next query's {@code after}.
 * A page cut short by the read budget of a filtered query has fewer entries than asked and a {@code next}.
 */
public record SecurityEventPage(List<SecurityEvent> entries, Long next) {
    public static final SecurityEventPage EMPTY = new SecurityEventPage(List.of(), null);

    public SecurityEventPage {
        entries = List.copyOf(entries);
    }
}
