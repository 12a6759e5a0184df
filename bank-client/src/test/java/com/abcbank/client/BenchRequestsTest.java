package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Json;
import com.abcbank.protocol.Request;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The bench's request lines are byte for byte what {@code Json.writeRequest} writes, newline added. */
class BenchRequestsTest {
    private static final BenchAccounts ACCOUNTS = BenchAccounts.of(98_765, 1_000, 1_023);

    @ParameterizedTest
    @EnumSource(BenchWorkload.Mix.class)
    void everyLineOfEveryMixIsWhatJsonWrites(BenchWorkload.Mix mix) {
        int connection = 1_022; // the longest connection number, so the longest key prefix
        BenchWorkload workload = new BenchWorkload(
                ACCOUNTS, mix, 30, connection, new SplittableRandom(mix.label().hashCode()));
        BenchRequests requests = new BenchRequests(workload.keyPrefix());
        ByteBuffer out = ByteBuffer.allocate(BenchRequests.MAX_LINE_BYTES * 4);
        Set<BenchWorkload.Op> seen = EnumSet.noneOf(BenchWorkload.Op.class);
        long[] ids = {1, 9, 10, 99, 100, 12_345, 1L << 40, Long.MAX_VALUE};
        for (int i = 0; i < 3_000; i++) {
            long id = i < ids.length ? ids[i] : i;
            workload.draw();
            seen.add(workload.op());
            out.clear();
            out.position(7); // not at the start: the encoder writes at the position and moves it
            requests.encode(id, workload, out);
            byte[] expected = (Json.writeRequest(id, workload.request()) + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] actual = Arrays.copyOfRange(out.array(), 7, out.position());
            assertArrayEquals(
                    expected,
                    actual,
                    () -> new String(expected, StandardCharsets.UTF_8) + " vs "
                            + new String(actual, StandardCharsets.UTF_8));
        }
        assertEquals(expectedOps(mix), seen, "every op of the mix was drawn and compared");
    }

    private static Set<BenchWorkload.Op> expectedOps(BenchWorkload.Mix mix) {
        return switch (mix) {
            case TRANSFER -> EnumSet.of(BenchWorkload.Op.TRANSFER);
            case DEPOSIT_WITHDRAW -> EnumSet.of(BenchWorkload.Op.DEPOSIT, BenchWorkload.Op.WITHDRAW);
            case BALANCE -> EnumSet.of(BenchWorkload.Op.BALANCE);
            case MIXED -> EnumSet.allOf(BenchWorkload.Op.class);
        };
    }

    @Test
    void theLongestLineFitsTheBound() {
        BenchWorkload workload =
                new BenchWorkload(ACCOUNTS, BenchWorkload.Mix.TRANSFER, 0, 1_023, new SplittableRandom(1));
        // Every variable part at its longest: the id and key counter at 19 digits, both accounts 12, amount 3.
        String longest = Json.writeRequest(
                Long.MAX_VALUE,
                new Request.Transfer("999999999999", "999999999999", 100, workload.keyPrefix() + Long.MAX_VALUE));
        assertTrue(longest.length() + 1 <= BenchRequests.MAX_LINE_BYTES, longest);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 9, 10, 11, 99, 100, 101, 999_999_999_999L, 1_000_000_000_000L, Long.MAX_VALUE})
    void digitsAreLongToString(long value) {
        byte[] bytes = new byte[30];
        int end = BenchRequests.digits(bytes, 3, value);
        assertEquals(Long.toString(value), new String(bytes, 3, end - 3, StandardCharsets.US_ASCII));
    }

    @Test
    void tooLittleRoomIsACallersBugAndWritesNothing() {
        BenchWorkload workload = new BenchWorkload(ACCOUNTS, BenchWorkload.Mix.BALANCE, 0, 0, new SplittableRandom(1));
        workload.draw();
        ByteBuffer out = ByteBuffer.allocate(BenchRequests.MAX_LINE_BYTES - 1);
        BenchRequests requests = new BenchRequests(workload.keyPrefix());
        assertThrows(IllegalArgumentException.class, () -> requests.encode(1, workload, out));
        assertEquals(0, out.position());
    }

    @Test
    void aKeyPrefixJsonWouldEscapeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BenchRequests("bench-\"-"));
    }
}
