package com.abcbank.journal;

import java.nio.file.Path;

/** The journal is damaged somewhere other than a torn last record: the bank must not start on it silently. */
public final class JournalCorruptedException extends Exception {
    private final Path file;
    private final long offset;

    JournalCorruptedException(Path file, long offset, String reason) {
        super("journal " + file + " is corrupt at byte " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
