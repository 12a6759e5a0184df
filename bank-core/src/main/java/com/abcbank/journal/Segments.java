package com.abcbank.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Journal segment files: {@code journal-<first sequence number, 20 digits>.log}, read in name order. */
final class Segments {
    private static final Pattern NAME = Pattern.compile("journal-(\\d{20})\\.log");

    private Segments() {}

    static Path path(Path dir, long firstSeq) {
        return dir.resolve(String.format("journal-%020d.log", firstSeq));
    }

    /** The segments of {@code dir}, oldest first. */
    static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(
                            file -> NAME.matcher(file.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        }
    }

    static long firstSeq(Path segment) {
        Matcher matcher = NAME.matcher(segment.getFileName().toString());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a journal segment: " + segment);
        }
        return Long.parseLong(matcher.group(1));
    }

    /** Forces a directory, so that a file created or renamed in it survives a crash. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
