package com.abcbank.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.abcbank.ledger.Role;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Scram;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A log entry's commands as every node reads them: the same request, whatever its shape. */
class CommandTest {
    private static final Scram.Verifier VERIFIER = new Scram.Verifier(4096, new byte[16], new byte[32], new byte[32]);

    private static byte[] bytes(Command command) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            command.write(out);
        }
        return bytes.toByteArray();
    }

    private static Command read(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        Command command = Command.read(in);
        assertEquals(0, in.available(), "bytes left after the command");
        return command;
    }

    @Test
    void everyMoneyRequestAndUserCommandReadsAsWritten() throws IOException {
        String longAccount = "9".repeat(70_000); // longer than writeUTF's 64 kB: refused later, by the ledger
        List<Request.Money> money = List.of(
                new Request.CreateAccount("1001", null),
                new Request.CreateAccount("1001", 5_00L, "k-0"),
                new Request.Deposit("1001", 2_00, "k-1"),
                new Request.Withdraw("1001", 1),
                new Request.Transfer("1001", "1002", 7, "k-\u00e9\u20ac"),
                new Request.Transfer("1001", longAccount, 7),
                new Request.ApplyLoan("1001", 100_00),
                new Request.PayLoanCheck("L100001", 5, "k-4"),
                new Request.PayLoanTransfer("1001", "L100001", 5));
        for (Request.Money request : money) {
            Command command = new Command(Command.Kind.MONEY, "alice", Role.CUSTOMER, request, "");
            assertEquals(command, read(bytes(command)), request.getClass().getSimpleName());
        }
        Request.Register register = new Request.Register("bob", VERIFIER);
        for (Command command : List.of(
                new Command(Command.Kind.REGISTER, "bob", Role.CUSTOMER, register, ""),
                new Command(Command.Kind.PASSWD, "bob", Role.CUSTOMER, register, "127.0.0.1"),
                new Command(Command.Kind.AUDITOR, "Audit", Role.AUDITOR, register, ""))) {
            assertEquals(command, read(bytes(command)), command.kind().name());
        }
    }

    @Test
    void aMoneyRequestWrittenAsAJsonLineByAnOlderBuildReadsTheSame() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1); // the older MONEY: the request as a JSON line, id 0 included
            out.writeUTF("alice");
            out.writeByte(0);
            byte[] line =
                    "{\"id\":0,\"op\":\"transfer\",\"from\":\"1001\",\"to\":\"1002\",\"amount\":250,\"key\":\"k-9\"}"
                            .getBytes(StandardCharsets.UTF_8);
            out.writeInt(line.length);
            out.write(line);
            out.writeUTF("");
        }

        assertEquals(
                new Command(
                        Command.Kind.MONEY,
                        "alice",
                        Role.CUSTOMER,
                        new Request.Transfer("1001", "1002", 250, "k-9"),
                        ""),
                read(bytes.toByteArray()));
    }

    @Test
    void aCommandWhoseRequestDoesNotFitItsKindIsRefused() {
        Request.Register register = new Request.Register("bob", VERIFIER);
        assertThrows(
                IllegalArgumentException.class,
                () -> new Command(Command.Kind.MONEY, "bob", Role.CUSTOMER, register, ""));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Command(Command.Kind.REGISTER, "bob", Role.CUSTOMER, new Request.Deposit("1001", 1), ""));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Command(Command.Kind.PASSWD, "bob", Role.CUSTOMER, new Request.Balance("1001"), ""));
    }

    @Test
    void damagedCommandsAreRefusedNotMisread() throws IOException {
        byte[] good = bytes(new Command(
                Command.Kind.MONEY, "alice", Role.CUSTOMER, new Request.PayLoanTransfer("1001", "L1", 5, "k"), ""));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] shorter = Arrays.copyOf(good, cut);
            assertThrows(IOException.class, () -> read(shorter), "cut at " + cut);
        }
        byte[] unknownKind = good.clone();
        unknownKind[0] = 9;
        assertThrows(IOException.class, () -> read(unknownKind));
        byte[] unknownOp = good.clone();
        unknownOp[1 + 2 + "alice".length() + 1] = 42; // the money op, after kind, user and role
        assertThrows(IOException.class, () -> read(unknownOp));
    }
}
