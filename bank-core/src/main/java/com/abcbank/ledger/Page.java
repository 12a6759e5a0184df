package com.abcbank.ledger;

import java.util.List;

/**
 * A page of items in sequence order.
 *
 * @param next the cursor for the next page (pass it as {@code after}), or {@code null} when this page
 *             reached the end of what is committed now
 */
public record Page<T>(List<T> items, Long next) {
    public Page {
        items = List.copyOf(items);
    }
}
