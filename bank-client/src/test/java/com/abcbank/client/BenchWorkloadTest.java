package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the bench sends: only transfers the bank allows, every account reachable, keys fresh, hot as asked. */
class BenchWorkloadTest {
    @ParameterizedTest
    @CsvSource({"1000, 16", "20, 4", "2, 1", "7, 64", "120, 2"})
    void usersOwnEveryAccountAndEachUserHasAConnection(int count, int connections) {
        BenchAccounts accounts = BenchAccounts.of(12_345, count, connections);
        assertTrue(accounts.users() <= connections && accounts.users() <= count, accounts.toString());
        Set<Integer> owned = new HashSet<>();
        for (int user = 0; user < accounts.users(); user++) {
            for (int nth = 0; nth < accounts.ownedBy(user); nth++) {
                int index = accounts.owned(user, nth);
                assertEquals(user, index % accounts.users());
                assertTrue(owned.add(index), "owned twice: " + index);
            }
        }
        assertEquals(count, owned.size(), "every account has exactly one owner");
        assertEquals("123450000000", accounts.number(0));
        assertEquals(12, accounts.number(count - 1).length());
    }

    @Test
    void transfersLeaveOnlyTheConnectionsOwnAccountsAndReachEveryOther() {
        BenchAccounts accounts = BenchAccounts.of(12_345, 20, 4);
        int connection = 5; // user 1 of 4
        BenchWorkload workload =
                new BenchWorkload(accounts, BenchWorkload.Mix.TRANSFER, 0, connection, new SplittableRandom(1));
        Set<String> targets = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            Request.Transfer transfer = assertInstanceOf(Request.Transfer.class, workload.next());
            int from = (int) (Long.parseLong(transfer.from()) - 123_450_000_000L);
            assertEquals(accounts.userOf(connection), from % accounts.users(), transfer.toString());
            assertNotEquals(transfer.from(), transfer.to());
            assertTrue(transfer.amount() >= 1 && transfer.amount() <= 100, transfer.toString());
            assertTrue(keys.add(transfer.key()), "a key used twice: " + transfer.key());
            targets.add(transfer.to());
        }
        assertEquals(20, targets.size(), "every account receives");
    }

    @Test
    void hotTransfersGoToTheHotAccountAboutAsOftenAsAsked() {
        BenchAccounts accounts = BenchAccounts.of(12_345, 1_000, 16);
        BenchWorkload workload =
                new BenchWorkload(accounts, BenchWorkload.Mix.TRANSFER, 90, 3, new SplittableRandom(2));
        int hot = 0;
        for (int i = 0; i < 10_000; i++) {
            Request.Transfer transfer = (Request.Transfer) workload.next();
            if (transfer.to().equals(accounts.number(0)) || transfer.from().equals(accounts.number(0))) {
                hot++;
            }
        }
        assertTrue(hot > 8_700 && hot < 9_300, "hot transfers: " + hot + " of 10000");
    }

    @Test
    void theSameSeedSendsTheSameRequests() {
        BenchAccounts accounts = BenchAccounts.of(12_345, 100, 4);
        BenchWorkload first = new BenchWorkload(accounts, BenchWorkload.Mix.MIXED, 10, 1, new SplittableRandom(9));
        BenchWorkload second = new BenchWorkload(accounts, BenchWorkload.Mix.MIXED, 10, 1, new SplittableRandom(9));
        for (int i = 0; i < 1_000; i++) {
            assertEquals(first.next(), second.next());
        }
    }
}
