package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The training run of the class-data-sharing archive goes through every step it means to, as the build runs it. */
@Timeout(30)
class CdsTrainingTest {
    @Test
    void trainsParsingSendingDecodingAndPrinting() throws Exception {
        StringWriter out = new StringWriter();
        CdsTraining.run(new PrintWriter(out, true));
        String printed = out.toString();
        for (String expected : new String[] {
            "Commands (client USER COMMAND --help for each", // the whole help
            "error: unknown command 'balnce'", // a usage error
            "1001 (checking, Alice): balance 700.00", // a reply decoded and printed as text
            "\"owner\" : \"Alice\"", // and as --json
            "Transferred 50.00",
            "INSUFFICIENT_FUNDS" // a refusal worded
        }) {
            assertTrue(printed.contains(expected), expected + " not in:\n" + printed);
        }
    }
}
