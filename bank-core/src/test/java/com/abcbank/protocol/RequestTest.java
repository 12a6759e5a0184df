package com.abcbank.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request types are the one list of ops: names, money requests and keys follow from them. */
class RequestTest {
    /** Every record under the sealed {@link Request}, through its sealed sub-interfaces. */
    private static Stream<Class<?>> records(Class<?> type) {
        return type.isRecord()
                ? Stream.of(type)
                : Arrays.stream(type.getPermittedSubclasses()).flatMap(RequestTest::records);
    }

    private static Map<Class<?>, String> names() {
        Map<Class<?>, String> names = new HashMap<>();
        for (JsonSubTypes.Type type :
                Request.class.getAnnotation(JsonSubTypes.class).value()) {
            assertNull(names.put(type.value(), type.name()), "named twice: " + type.value());
        }
        return names;
    }

    @Test
    void everyPermittedRequestHasAnOpName() {
        Map<Class<?>, String> names = names();
        List<Class<?>> records = records(Request.class).toList();
        assertEquals(19, records.size(), records::toString);
        records.forEach(type -> assertNotNull(names.get(type), () -> type + " has no op name in @JsonSubTypes"));
        assertEquals(Set.copyOf(records), names.keySet(), "a name for a type that is not a request");
    }

    @Test
    void opsAreTheSubtypeNamesInOrder() {
        List<String> names = Arrays.stream(
                        Request.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name)
                .toList();
        assertEquals(names, Request.OPS);
        assertEquals(Set.copyOf(names().values()), Set.copyOf(Request.OPS));
        assertEquals(
                List.of(
                        "register",
                        "login",
                        "login_final",
                        "passwd",
                        "create_account",
                        "deposit",
                        "withdraw",
                        "transfer",
                        "apply_loan",
                        "pay_loan_check",
                        "pay_loan_transfer",
                        "balance",
                        "history",
                        "show_accountholders",
                        "show_history",
                        "report",
                        "verify",
                        "show_security_events",
                        "cluster"),
                Request.OPS);
    }

    /** A record with a key is a money request and the other way round, so no retry path can miss a key. */
    @Test
    void aRequestCarriesAKeyExactlyWhenItIsAMoneyRequest() {
        records(Request.class).forEach(type -> {
            boolean hasKey = Arrays.stream(type.getRecordComponents())
                    .anyMatch(c -> c.getName().equals("key"));
            assertEquals(hasKey, Request.Money.class.isAssignableFrom(type), type::toString);
        });
        assertEquals(
                Set.of(
                        "create_account",
                        "deposit",
                        "withdraw",
                        "transfer",
                        "apply_loan",
                        "pay_loan_check",
                        "pay_loan_transfer"),
                records(Request.Money.class).map(names()::get).collect(Collectors.toSet()));
    }

    @Test
    void aMoneyRequestGivesItsKeyWithoutBeingWritten() {
        Request.Money withdraw = new Request.Withdraw("1001", 5, "k-1");
        assertEquals("k-1", withdraw.key());
        assertNull(((Request.Money) new Request.CreateAccount("1001", null)).key());
        Request parsed = Json.parseRequest(
                        "{\"op\":\"transfer\",\"from\":\"1\",\"to\":\"2\",\"amount\":3,\"key\":\"x\"}")
                .request();
        assertEquals("x", ((Request.Money) parsed).key());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a",
                "550e8400-e29b-41d4-a716-446655440000",
                "!~",
                "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
            })
    void keysTheServerTakes(String key) {
        assertTrue(Wire.isKey(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with space", "tab\t", "\u00e9t\u00e9"})
    void keysTheServerRefuses(String key) {
        assertFalse(Wire.isKey(key));
        assertFalse(Wire.isKey("k".repeat(65)));
        assertFalse(Wire.isKey(null));
    }
}
