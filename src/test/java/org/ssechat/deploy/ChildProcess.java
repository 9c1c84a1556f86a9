package org.ssechat.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A process a test started, with its whole process tree: stopped as a service manager stops it
 * (SIGTERM, then SIGKILL for whatever is left), and killed when the test JVM exits, so no
 * container outlives the build even when a test fails or the JVM is shut down early.
 */
final class ChildProcess {

    /** How long a stopping process may take before it is killed. */
    private static final long STOP_GRACE_SECONDS = 20;

    private static final Set<ChildProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ChildProcess::kill),
                "stock-container-reaper"));
    }

    private final Process process;
    private final String name;

    private ChildProcess(Process process, String name) {
        this.process = process;
        this.name = name;
    }

    /** Starts the command in {@code directory}, its output and errors appended to {@code log}. */
    static ChildProcess start(String name, ProcessBuilder builder, Path log) throws IOException {
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        ChildProcess child = new ChildProcess(builder.start(), name);
        RUNNING.add(child);
        return child;
    }

    /** The process id, for tools that look into a JVM (jcmd). */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitValue() {
        return process.exitValue();
    }

    /** Waits for the process to exit by itself; false if it still runs after the time given. */
    boolean waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM (what Ctrl-C on {@code catalina.sh run} or systemd sends), a grace period, then
     * SIGKILL for the process and every descendant still alive. Safe to call more than once.
     *
     * @return whether the process exited by itself within the grace period
     */
    synchronized boolean stop() throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList(); // before the parent dies and they are orphaned
        process.destroy();
        boolean exited = process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            System.err.println(name + " did not stop within " + STOP_GRACE_SECONDS + " s of SIGTERM: killing it");
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        kill();
        return exited;
    }

    /** SIGKILL for the process and its tree at once, as a crash or the OOM killer ends it: nothing runs its stop. */
    void crash() {
        kill();
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        RUNNING.remove(this);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
