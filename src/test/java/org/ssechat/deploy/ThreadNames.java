package org.ssechat.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The names of the threads a running JVM has now, as {@code jcmd PID Thread.print} lists them. */
final class ThreadNames {

    /** A thread's first line: {@code "sse-chat-scheduler" #42 daemon prio=5 ...}. */
    private static final Pattern HEADER = Pattern.compile("^\"(.*)\" #\\d+");
    private static final long JCMD_SECONDS = 60;

    private ThreadNames() {
    }

    /** The threads of the JVM with this process id, listed with the jcmd of {@code javaHome}. */
    static List<String> of(long pid, Path javaHome) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(javaHome.resolve("bin/jcmd").toString(), String.valueOf(pid), "Thread.print")
                .redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(JCMD_SECONDS, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            jcmd.destroyForcibly();
            throw new IOException("jcmd " + pid + " Thread.print failed:\n" + output);
        }
        List<String> names = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher matcher = HEADER.matcher(line);
            if (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        if (names.isEmpty()) {
            throw new IOException("jcmd " + pid + " Thread.print listed no thread:\n" + output);
        }
        return names;
    }
}
