package com.abcbank.protocol;

import com.abcbank.ledger.ErrorCode;

/** Why a request failed: a stable code and a message for a person. */
public record Failure(ErrorCode code, String message) {}
