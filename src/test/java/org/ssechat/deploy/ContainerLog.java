package org.ssechat.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a container wrote: its console and the log files under its base folder. Finds the lines
 * that say the application misbehaved: Tomcat's leak warnings (threads, ThreadLocals, timers,
 * requests left behind) and any warning or error logged by or about sse-chat.
 */
final class ContainerLog {

    /** Tomcat's words when an application leaves something behind (WebappClassLoaderBase). */
    private static final List<String> LEAK_PHRASES = List.of(
            "appears to have started a thread", "failed to stop it", "memory leak",
            "is still processing a request", "failed to unregister it");
    /** A warning or worse in Tomcat's one-line format, Jetty's format or java.util.logging's second line. */
    private static final Pattern PROBLEM_LEVEL = Pattern.compile(
            "( (WARNING|SEVERE) \\[|:(WARN|ERROR) *:|^(WARNING|SEVERE): )");
    /** Who a log line is about: the application's own loggers, or Tomcat naming one of its deployments. */
    private static final Pattern ABOUT_THE_APP = Pattern.compile(
            "org\\.ssechat|redis\\.clients|web application \\[(/?sse-chat|ROOT)\\]");

    private final Path base;

    ContainerLog(Path base) {
        this.base = base;
    }

    /** Everything logged so far, file by file. */
    String text() {
        StringBuilder text = new StringBuilder();
        for (Path file : files()) {
            text.append("==> ").append(base.relativize(file)).append('\n').append(read(file));
        }
        return text.toString();
    }

    /** Leak warnings, and warnings or errors logged by or about the application. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Path file : files()) {
            String previous = "";
            for (String line : read(file).split("\n")) {
                // java.util.logging's default format puts the logger on one line and the level on the next.
                String entry = line.startsWith("WARNING: ") || line.startsWith("SEVERE: ") ? previous + " " + line : line;
                boolean leak = LEAK_PHRASES.stream().anyMatch(phrase -> entry.toLowerCase(Locale.ROOT).contains(phrase));
                if (leak || PROBLEM_LEVEL.matcher(line).find() && ABOUT_THE_APP.matcher(entry).find()) {
                    problems.add(base.relativize(file) + ": " + entry);
                }
                previous = line;
            }
        }
        return problems;
    }

    /** How many lines of the console (where both containers write everything) contain {@code text}. */
    long consoleLinesWith(String text) {
        return read(base.resolve("console.log")).lines().filter(line -> line.contains(text)).count();
    }

    /** The console and Tomcat's logs/; not deeper, where Tomcat deletes folders while undeploying. */
    private List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(base, base.resolve("logs"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(file -> file.toString().endsWith(".log")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    private static String read(Path file) {
        try {
            // Logs are written while we read: decode leniently.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
