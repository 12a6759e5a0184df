package com.abcbank.journal;

/** When a transaction counts as kept, and so when its reply may be sent. */
public enum Durability {
    /** After the journal was forced to disk ({@code FileChannel.force}): survives a crash of the machine. */
    FSYNC,
    /**
     * After the journal was written to the operating system, which is forced to disk at least every batch
     * window: survives a crash of the server process; a crash of the machine loses at most the last window.
     */
    BATCH,
    /** Nothing is written: the bank lives in memory and is lost when the server stops. */
    NONE
}
