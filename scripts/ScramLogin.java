import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Scram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The client's half of a SCRAM-SHA-256 login for a script that holds the connection itself (scripts/bigbank.sh
 * times requests over a bash socket). Run it as a coprocess:
 * {@code java -cp bank-client.jar:CLASSES ScramLogin USER PASSWORD_FILE}. It prints the {@code login} request line;
 * the script sends it and writes the server's reply line back here; it prints the {@code login_final} line; the
 * script sends it and writes that reply back. Exit 0 once the server's signature checks; 1 on any refusal or a
 * wrong signature. The password never leaves this process; the script only carries the SCRAM messages.
 */
class ScramLogin {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ScramLogin USER PASSWORD_FILE");
            System.exit(2);
        }
        String password = Files.readAllLines(Path.of(args[1])).get(0).strip();
        Scram.ClientExchange exchange = Scram.ClientExchange.withPassword(args[0], password.toCharArray());
        BufferedReader replies = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Reply login = Scram.login(
                request -> {
                    System.out.println(Json.writeRequest(0, request));
                    System.out.flush();
                    String line = replies.readLine();
                    if (line == null) {
                        throw new java.io.IOException("no reply from the script");
                    }
                    return Json.parseReply(line);
                },
                exchange);
        if (!login.ok()) {
            System.err.println("ScramLogin: refused: " + login.error());
            System.exit(1);
        }
    }
}
