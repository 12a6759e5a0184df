package com.abcbank.journal;

import java.io.IOException;

/** What is asked for is still being read from the journal after a start (an index being built): retry shortly. */
public final class NotReadyException extends IOException {
    private static final long serialVersionUID = 1L;

    public NotReadyException(String message) {
        super(message);
    }
}
