package com.abcbank.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for test nodes' Raft servers, chosen below the kernel's ephemeral range.
 *
 * <p>A Raft port is fixed when the cluster is formed (every peer knows it) but bound only when its node starts, and
 * again after every restart. A port taken with {@code new ServerSocket(0)} and released is in the ephemeral range,
 * where the kernel hands it to the next socket that binds port 0 or connects out: in one CI run a sibling node's
 * client listener got n1's Raft port in the second between the choice and n1's start, and n1 failed to bind. Below
 * the ephemeral range the kernel assigns nothing by itself; a port is still probed before it is handed out, and never
 * handed out twice by this JVM.
 */
final class RaftPorts {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /** Where ephemeral ports start when the kernel does not say (IANA's suggestion, which macOS follows). */
    private static final int DEFAULT_EPHEMERAL_START = 49_152;

    private static final int LOWEST = 10_000;

    private static final int ATTEMPTS = 1_000;

    private static final Set<Integer> handedOut = new HashSet<>();

    private RaftPorts() {}

    /** A port on 127.0.0.1 that is free now, outside the ephemeral range, and not handed out before by this JVM. */
    static synchronized int next() throws IOException {
        int end = ephemeralStart();
        if (end - LOWEST < ATTEMPTS) {
            throw new IOException("ephemeral ports start at " + end + ": no room below for Raft ports");
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, end);
            if (!handedOut.contains(port) && bindable(port)) {
                handedOut.add(port);
                return port;
            }
        }
        throw new IOException("no free port in [" + LOWEST + ", " + end + ") after " + ATTEMPTS + " attempts");
    }

    private static int ephemeralStart() throws IOException {
        if (!Files.isReadable(EPHEMERAL_RANGE)) {
            return DEFAULT_EPHEMERAL_START;
        }
        // A line read, not Files.readString: /proc reports a size of 0, and readString returned only "3" here.
        String range;
        try (BufferedReader in = Files.newBufferedReader(EPHEMERAL_RANGE)) {
            range = Objects.requireNonNullElse(in.readLine(), "").strip();
        }
        int gap = 0;
        while (gap < range.length() && Character.isDigit(range.charAt(gap))) {
            gap++;
        }
        if (gap == 0) {
            throw new IOException(EPHEMERAL_RANGE + " reads '" + range + "', not two port numbers");
        }
        return Integer.parseInt(range.substring(0, gap));
    }

    private static boolean bindable(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
