package com.abcbank.client;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Paging through a long list by cursor: {@code --after}, {@code --limit}, {@code --all} (history, show_history, show_security_events).
 *
 * <p>Ranges are checked by converters, not by setter methods: picocli resets annotated fields before each
 * parse but does not call a setter back, and a batch reuses one parsed instance per command, so a setter
 * would let one line's {@code --limit} leak into the next.
 */
final class PageOptions {
    @Option(
            names = "--after",
            paramLabel = "N",
            converter = NotNegative.class,
            description = "Start after transaction number N (event number for show_security_events; the 'more' line"
                    + " of the previous page names it).")
    Long after;

    @Option(
            names = "--limit",
            paramLabel = "N",
            converter = Positive.class,
            description = "At most N entries per page (server default 100, at most 1,000).")
    Integer limit;

    @Option(names = "--all", description = "Fetch every page, from --after on, and print them as one table.")
    boolean all;

    /** With --all, where the page last asked for started; only a single command pages (a batch refuses --all). */
    private Long cursor;

    /**
     * The cursor for the page after one that answered {@code next}, or null when there is none or
     * {@code --all} is off. The cursor must move forward, or a confused server could keep us paging forever.
     */
    Long follow(Long next) {
        if (!all || next == null) {
            return null;
        }
        long current = cursor != null ? cursor : after != null ? after : 0;
        if (next <= current) {
            throw new ClientException(
                    ExitCodes.PROTOCOL, "protocol error: the page cursor went from " + current + " to " + next);
        }
        cursor = next;
        return next;
    }

    static final class NotNegative implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long n = parse(value);
            if (n < 0) {
                throw new TypeConversionException("must be 0 or more: " + value);
            }
            return n;
        }
    }

    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long n = parse(value);
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw new TypeConversionException("must be at least 1: " + value);
            }
            return (int) n;
        }
    }

    private static long parse(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not a whole number: '" + value + "'");
        }
    }
}
