package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java programs under {@code scripts/} (run as single-file programs by the bench, load and console scripts, with
 * a jar of this project on the class path) still compile against the code as it is now. Nothing else builds them:
 * without this, a renamed method in the server or the protocol would break {@code bench_compare.sh} or {@code
 * run_bank.sh}'s books check only when someone next ran them. Compiled here against this module's test class path,
 * which holds everything the server and client jars do that the scripts import.
 */
class ScriptsCompileTest {
    /** Surefire runs in the module's directory; the scripts are beside it. */
    private static final Path SCRIPTS =
            Path.of("..", "scripts").toAbsolutePath().normalize();

    @TempDir
    Path classes;

    @TestFactory
    Stream<DynamicTest> everyScriptCompiles() throws IOException {
        List<Path> programs;
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            programs =
                    files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        // The scripts name these: if the directory moved, this fails rather than passing over nothing.
        assertTrue(
                programs.stream()
                        .map(p -> p.getFileName().toString())
                        .toList()
                        .containsAll(List.of("BooksCheck.java", "FailoverTime.java", "RaftFloor.java")),
                "scripts/ holds the programs the scripts run: " + programs);
        return programs.stream()
                .map(program -> DynamicTest.dynamicTest(program.getFileName().toString(), () -> compiles(program)));
    }

    private void compiles(Path program) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK, not a JRE, runs the tests");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createDirectories(
                classes.resolve(program.getFileName().toString().replace(".java", "")));
        try (StandardJavaFileManager files =
                javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of(
                    "--release",
                    "17",
                    "-proc:none",
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    out.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(program))
                    .call();
            String errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                    .collect(Collectors.joining("\n"));
            assertEquals("", errors, program + " does not compile");
            assertTrue(ok, program + " does not compile");
        }
        try (Stream<Path> written = Files.walk(out)) {
            assertTrue(written.anyMatch(p -> p.toString().endsWith(".class")), "no class written for " + program);
        }
    }
}
