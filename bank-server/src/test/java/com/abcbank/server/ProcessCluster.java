package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Three (or more) cluster nodes, each a {@code bank-server} JVM of its own started from this JVM's class path, so that
 * a node can be killed the hard way: {@link #kill} is SIGKILL, nothing of the node runs after it (no shutdown hook,
 * no {@code finally}, no last fsync), which the in-JVM {@link TestCluster} cannot do.
 *
 * <p>A node keeps its data directory and its Raft port across restarts (its peers know it by that address); its
 * client port is 0, so it may change: {@link #port} reads the port file the node writes once it listens, and
 * {@link #start} deletes the old one first so that a stale port is never read.
 *
 * <p>Each node's standard output and error are appended to {@code nI.out} / {@code nI.err} beside its data directory,
 * with a marker line per start; {@link #tails} gives their last lines for a failure message. Every wait is bounded,
 * and {@link #close} kills whatever still runs, so a failing test leaves no JVM behind.
 *
 * <p>Starts and kills are the test thread's; load threads read only {@link #port} (an atomic array: a port read just
 * before a kill only sends a request to a dead port, which a sender treats as a lost connection).
 */
final class ProcessCluster implements AutoCloseable {
    /** Exit status Java reports for a process ended by signal 9: 128 + SIGKILL. */
    static final int KILLED_BY_SIGKILL = 128 + 9;

    private static final Duration START_WITHIN = Duration.ofSeconds(60);

    private final Path root;
    private final List<String> ids = new ArrayList<>();
    private final int[] raftPorts;
    private final String peers;
    private final long snapshotEvery;
    private final Process[] processes;
    private final AtomicIntegerArray ports;
    private final int[] starts;
    /** Kills the nodes if this JVM exits without {@link #close} (a build stopped with SIGTERM or Ctrl-C). */
    private final Thread killOnExit = new Thread(this::killAll, "process-cluster-kill");

    private ProcessCluster(Path root, int nodes, long snapshotEvery) throws IOException {
        this.root = root;
        this.raftPorts = new int[nodes];
        this.processes = new Process[nodes];
        this.ports = new AtomicIntegerArray(nodes);
        this.starts = new int[nodes];
        this.snapshotEvery = snapshotEvery;
        List<String> peerList = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ids.add("n" + (i + 1));
            raftPorts[i] = RaftPorts.next();
            peerList.add(ids.get(i) + "=127.0.0.1:" + raftPorts[i]);
        }
        this.peers = String.join(",", peerList);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts {@code nodes} JVMs and waits until each listens; on failure the started ones are killed. */
    static ProcessCluster start(Path root, int nodes, long snapshotEvery) throws IOException {
        ProcessCluster cluster = new ProcessCluster(root, nodes, snapshotEvery);
        try {
            for (int i = 0; i < nodes; i++) {
                cluster.launch(i);
            }
            for (int i = 0; i < nodes; i++) {
                cluster.awaitListening(i);
            }
        } catch (IOException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    int size() {
        return processes.length;
    }

    String id(int node) {
        return ids.get(node);
    }

    Path dataDir(int node) {
        return root.resolve(ids.get(node));
    }

    Path snapshotDir(int node) {
        return dataDir(node)
                .resolve("raft")
                .resolve(com.abcbank.server.cluster.ClusterNode.groupDir())
                .resolve("sm");
    }

    private Path portFile(int node) {
        return root.resolve(ids.get(node) + ".port");
    }

    private Path out(int node) {
        return root.resolve(ids.get(node) + ".out");
    }

    private Path err(int node) {
        return root.resolve(ids.get(node) + ".err");
    }

    /** Starts node {@code node} (again, on the same data directory and Raft port) and waits until it listens. */
    void start(int node) throws IOException {
        launch(node);
        awaitListening(node);
    }

    /** Starts node {@code node}'s JVM without waiting for it; {@link #awaitListening} waits. */
    void launch(int node) throws IOException {
        if (processes[node] != null && processes[node].isAlive()) {
            throw new IllegalStateException("node " + id(node) + " is running");
        }
        ports.set(node, 0);
        Files.deleteIfExists(portFile(node));
        Files.createDirectories(dataDir(node));
        String marker = "===== start " + (++starts[node]) + " of " + id(node) + " at " + Instant.now() + "\n";
        for (Path log : List.of(out(node), err(node))) {
            Files.writeString(
                    log, marker, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Three of these and the test JVM share CI's two cores and its memory: small heaps, a serial
                // collector, C1 only (quick to warm up; the test measures correctness, not speed).
                "-Xmx160m",
                "-XX:+UseSerialGC",
                "-XX:MaxDirectMemorySize=64m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ServerMain.class.getName(),
                "--port",
                "0",
                "--port-file",
                portFile(node).toString(),
                "--data",
                dataDir(node).toString(),
                "--node-id",
                id(node),
                "--peers",
                peers,
                "--election-timeout-ms",
                TestCluster.ELECTION_MIN_MS + "-" + TestCluster.ELECTION_MAX_MS,
                "--raft-snapshot-every",
                Long.toString(snapshotEvery));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out(node).toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(err(node).toFile()));
        // The test class path carries logback-test.xml (WARN unless BANK_LOG_LEVEL): INFO keeps the elections and
        // snapshots in the node's log, the evidence a failure report needs.
        builder.environment().put("BANK_LOG_LEVEL", "INFO");
        processes[node] = builder.start();
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    /** Waits until node {@code node} has written its port file (it listens), or fails with its log. */
    void awaitListening(int node) {
        Process process = processes[node];
        try {
            int port = Awaitility.await("node " + id(node) + " listening")
                    .atMost(START_WITHIN)
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> {
                                if (!process.isAlive()) {
                                    throw new AssertionError(
                                            "node " + id(node) + " exited with " + process.exitValue());
                                }
                                return readPort(node);
                            },
                            p -> p > 0);
            ports.set(node, port);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("node " + id(node) + " did not start\n" + tails(), e);
        }
    }

    private int readPort(int node) {
        try {
            return Integer.parseInt(Files.readString(portFile(node)).strip());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SIGKILLs node {@code node} and waits for it to be gone. {@link Process#destroyForcibly} is SIGKILL on Linux
     * (JDK {@code ProcessHandleImpl.destroy0}); the exit status proves it: a process ended by a signal reports
     * 128 + the signal, 137 for SIGKILL (SIGTERM, whose shutdown hook would close the node gracefully, gives 143).
     */
    void kill(int node) {
        kill(List.of(node));
    }

    /**
     * SIGKILLs all of {@code nodes} at once (every signal is sent before the first wait: no node outlives another by
     * more than the signals' delivery), then waits for each to be gone.
     */
    void kill(List<Integer> nodes) {
        for (int node : nodes) {
            ports.set(node, 0);
            if (processes[node] != null) {
                processes[node].destroyForcibly();
            }
        }
        for (int node : nodes) {
            Process process = processes[node];
            if (process == null) {
                continue;
            }
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("node " + id(node) + " (pid " + process.pid() + ") survived SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while killing " + id(node), e);
            }
            assertEquals(KILLED_BY_SIGKILL, process.exitValue(), "node " + id(node) + " ended by SIGKILL");
        }
    }

    /** Whether node {@code node}'s JVM runs and listens. */
    boolean running(int node) {
        Process process = processes[node];
        return process != null && process.isAlive() && ports.get(node) > 0;
    }

    /** Node {@code node}'s client port, or 0 while it is down or starting. */
    int port(int node) {
        return ports.get(node);
    }

    Optional<Long> pid(int node) {
        return Optional.ofNullable(processes[node]).map(Process::pid);
    }

    /** The auditor's password: the cluster creates the auditor once, so exactly one node's directory holds it. */
    String auditPassword() {
        return Awaitility.await("the auditor's password")
                .atMost(START_WITHIN)
                .pollInterval(Duration.ofMillis(100))
                .until(this::findAuditPassword, Optional::isPresent)
                .orElseThrow();
    }

    /** How many nodes' data directories hold the auditor's password file (the cluster creates the auditor once). */
    long auditPasswordFiles() {
        return java.util.stream.IntStream.range(0, size())
                .filter(i -> Files.exists(dataDir(i).resolve("audit-password")))
                .count();
    }

    private Optional<String> findAuditPassword() throws IOException {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            Path file = dataDir(i).resolve("audit-password");
            if (Files.exists(file)) {
                String text = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!text.isEmpty()) {
                    found.add(text);
                }
            }
        }
        if (found.size() > 1) {
            throw new AssertionError("the auditor was created on " + found.size() + " nodes, not one");
        }
        return found.stream().findFirst();
    }

    /**
     * The stacks of node {@code node}'s threads whose names contain one of {@code names} ({@code jcmd Thread.print},
     * from the JDK running the test, bounded to 20 s), for a failure message: where a node that stopped moving is
     * stuck.
     */
    String threads(int node, String... names) {
        Process process = processes[node];
        if (process == null || !process.isAlive()) {
            return "(node " + id(node) + " is not running)";
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path file = root.resolve(id(node) + ".threads");
        try {
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true)
                    .redirectOutput(file.toFile())
                    .start();
            if (!dump.waitFor(20, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                return "(no thread dump of " + id(node) + " within 20 s)";
            }
            // Thread.print separates the threads by blank lines, each starting with its quoted name.
            String wanted = java.util.regex.Pattern.compile("\n\n")
                    .splitAsStream(Files.readString(file, StandardCharsets.UTF_8))
                    .filter(stack -> stack.startsWith("\"")
                            && java.util.Arrays.stream(names)
                                    .anyMatch(name ->
                                            stack.lines().findFirst().orElse("").contains(name)))
                    .collect(Collectors.joining("\n\n"));
            return wanted.isEmpty() ? "(no thread named " + List.of(names) + ")" : wanted + "\n";
        } catch (IOException e) {
            return "(no thread dump of " + id(node) + ": " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** The last lines of every node's output and error, for a failure message. */
    String tails() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < size(); i++) {
            for (Path log : List.of(out(i), err(i))) {
                text.append("----- ").append(log.getFileName()).append(" (last 60 lines)\n");
                text.append(tail(log, 60)).append('\n');
            }
        }
        return text.toString();
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Copies every node's output and error to {@code target} (the temporary directory goes with the test). */
    void saveLogs(Path target) throws IOException {
        Files.createDirectories(target);
        for (int i = 0; i < size(); i++) {
            for (Path log : List.of(out(i), err(i))) {
                if (Files.exists(log)) {
                    Files.copy(log, target.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Kills every node still running (SIGKILL: a failed test must not wait for graceful shutdowns). */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // this JVM is exiting: the hook runs killAll itself
        }
        killAll();
    }

    private void killAll() {
        for (Process process : processes) {
            if (process != null) {
                process.destroyForcibly();
            }
        }
        for (Process process : processes) {
            if (process != null) {
                try {
                    process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
