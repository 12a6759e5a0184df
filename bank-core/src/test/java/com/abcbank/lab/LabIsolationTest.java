package com.abcbank.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The laboratory and the bank cannot reach each other: neither package's sources name the other. */
class LabIsolationTest {
    private static final Path MAIN = Path.of("src/main/java/com/abcbank");

    @Test
    void labNamesNoBankPackage() throws IOException {
        List<Path> sources = sources(MAIN.resolve("lab"));
        assertTrue(sources.size() >= 6, "sources not found from " + Path.of("").toAbsolutePath());
        for (String lab : List.of("RaceLab.java", "DeadlockLab.java", "ContentionLab.java")) {
            assertTrue(sources.stream().anyMatch(s -> s.endsWith(lab)), lab + " not among the checked sources");
        }
        for (Path source : sources) {
            String text = Files.readString(source);
            for (String bank :
                    List.of("import com.abcbank.ledger", "import com.abcbank.journal", "import com.abcbank.protocol")) {
                assertFalse(text.contains(bank), source + " names " + bank);
            }
        }
    }

    @Test
    void bankNamesNoLab() throws IOException {
        for (String bank : List.of("ledger", "journal", "protocol")) {
            for (Path source : sources(MAIN.resolve(bank))) {
                assertFalse(
                        Files.readString(source).contains("import com.abcbank.lab"), source + " names the laboratory");
            }
        }
    }

    private static List<Path> sources(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }
}
