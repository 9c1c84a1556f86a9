package org.ssechat.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many live objects of each class a running JVM holds, as {@code jcmd PID GC.class_histogram}
 * counts them: after a full collection, so what is counted is reachable.
 */
final class HeapHistogram {

    /** A histogram line: {@code   12:   10013   320416  org.example.Type (module)}. */
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)");
    private static final long JCMD_SECONDS = 60;

    private final Map<String, Long> instances;

    private HeapHistogram(Map<String, Long> instances) {
        this.instances = instances;
    }

    /** The histogram of the JVM with this process id, taken with the jcmd of {@code javaHome}. */
    static HeapHistogram of(long pid, Path javaHome) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(javaHome.resolve("bin/jcmd").toString(), String.valueOf(pid),
                "GC.class_histogram").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(JCMD_SECONDS, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            jcmd.destroyForcibly();
            throw new IOException("jcmd " + pid + " GC.class_histogram failed:\n" + output);
        }
        Map<String, Long> instances = new HashMap<>();
        for (String line : output.split("\n")) {
            Matcher matcher = LINE.matcher(line);
            if (matcher.find()) {
                instances.merge(matcher.group(2), Long.parseLong(matcher.group(1)), Long::sum);
            }
        }
        if (instances.isEmpty()) {
            throw new IOException("jcmd " + pid + " GC.class_histogram printed no histogram:\n" + output);
        }
        return new HeapHistogram(instances);
    }

    /** The live instances of each class whose name begins so (a package's), by name: what keeps them is the question. */
    Map<String, Long> instancesIn(String prefix) {
        Map<String, Long> in = new TreeMap<>();
        instances.forEach((name, count) -> {
            if (name.startsWith(prefix)) {
                in.put(name, count);
            }
        });
        return in;
    }

    /** The live instances of a class, by its binary name ({@code Outer$Inner}); 0 if there are none. */
    long instances(String className) {
        return instances.getOrDefault(className, 0L);
    }
}
