package org.ssechat.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import redis.clients.jedis.Jedis;

/**
 * A private redis-server for one test class, on a free port of its own, so tests can kill and
 * restart it without touching the machine's shared Redis. Nothing is persisted.
 *
 * <p>When redis-server is not installed the test fails under CI ({@code CI=true}) and is skipped,
 * saying why, elsewhere.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private final int port;
    private final Path dir;
    private final boolean persistent;
    /** More of redis-server's arguments (a replica's --replicaof); a sentinel's configuration file, or null. */
    private final List<String> extraArguments;
    private final Path sentinelConfig;
    private Process process;

    private RedisServer(int port, Path dir, boolean persistent) {
        this(port, dir, persistent, List.of(), null);
    }

    private RedisServer(int port, Path dir, boolean persistent, List<String> extraArguments, Path sentinelConfig) {
        this.port = port;
        this.dir = dir;
        this.persistent = persistent;
        this.extraArguments = extraArguments;
        this.sentinelConfig = sentinelConfig;
    }

    /** A replica of {@code primary}, on a free port of its own, as Sentinel setups run one. */
    public static RedisServer startReplicaOf(RedisServer primary) throws IOException, InterruptedException {
        String binary = findBinary();
        int port = freePort();
        RedisServer server = new RedisServer(port, Files.createTempDirectory(Path.of("target"), "redis-replica-"), false,
                List.of("--replicaof", "127.0.0.1", String.valueOf(primary.port())), null);
        server.launch(binary);
        return server;
    }

    /**
     * A sentinel (redis-server in sentinel mode) on a free port, watching {@code primary} as
     * {@code masterName}: it finds it down after 1 s without an answer, and with {@code quorum}
     * sentinels agreeing, promotes a replica.
     */
    public static RedisServer startSentinel(RedisServer primary, String masterName, int quorum)
            throws IOException, InterruptedException {
        String binary = findBinary();
        int port = freePort();
        Path dir = Files.createTempDirectory(Path.of("target"), "redis-sentinel-");
        Path config = dir.resolve("sentinel.conf"); // sentinel rewrites it: its own file, writable
        Files.writeString(config, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "dir " + dir,
                "sentinel monitor " + masterName + " 127.0.0.1 " + primary.port() + " " + quorum,
                "sentinel down-after-milliseconds " + masterName + " 1000",
                "sentinel failover-timeout " + masterName + " 5000",
                "sentinel parallel-syncs " + masterName + " 1", ""));
        RedisServer server = new RedisServer(port, dir, false, List.of(), config);
        server.launch(binary);
        return server;
    }

    /**
     * A node of a Redis Cluster, on a free port of its own (its cluster bus on that port plus
     * 10000): it finds a silent peer failed after {@code nodeTimeoutMillis}. See {@link RedisCluster}.
     */
    public static RedisServer startClusterNode(long nodeTimeoutMillis) throws IOException, InterruptedException {
        String binary = findBinary();
        int port;
        do {
            port = freePort();
        } while (port + 10000 > 65535); // the cluster bus port must exist too
        Path dir = Files.createTempDirectory(Path.of("target"), "redis-cluster-");
        RedisServer server = new RedisServer(port, dir, false, List.of("--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf", // in --dir
                "--cluster-node-timeout", String.valueOf(nodeTimeoutMillis),
                // A replica syncs at once (not after the diskless sync's 5 s wait for more replicas),
                // and takes over even if it had been cut off for long: a test kills primaries early.
                "--repl-diskless-sync-delay", "0", "--cluster-replica-validity-factor", "0"), null);
        server.launch(binary);
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts a fresh server on a free port; a restart empties it. */
    public static RedisServer start() throws IOException, InterruptedException {
        return start(false);
    }

    /**
     * Starts a fresh server on a free port that writes every command to its append-only file
     * before answering, so a kill and restart keeps what it acknowledged, as production Redis
     * with AOF does.
     */
    public static RedisServer startPersistent() throws IOException, InterruptedException {
        return start(true);
    }

    private static RedisServer start(boolean persistent) throws IOException, InterruptedException {
        String binary = findBinary();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory(Path.of("target"), "redis-");
        RedisServer server = new RedisServer(port, dir, persistent);
        server.launch(binary);
        return server;
    }

    private static String findBinary() {
        return RequiredTool.find("redis-server is not installed (apt-get install redis-server); .ci/run installs it",
                "/usr/bin/redis-server", "/usr/local/bin/redis-server");
    }

    private void launch(String binary) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (sentinelConfig != null) {
            command.addAll(List.of(binary, sentinelConfig.toString(), "--sentinel"));
        } else {
            command.addAll(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always",
                    "--dir", dir.toString()));
            command.addAll(extraArguments);
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                .start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                Assertions.fail("redis-server exited at once; see " + dir.resolve("redis.log"));
            }
            try (Jedis jedis = client()) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (RuntimeException notYet) {
                Thread.sleep(20);
            }
        }
        Assertions.fail("redis-server did not answer PING within " + READY_TIMEOUT + " on port " + port);
    }

    /** redis://127.0.0.1:PORT */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A new plain connection, for PUBLISH, CLIENT KILL and checks; close it after use. */
    public Jedis client() {
        return new Jedis("127.0.0.1", port, 2000);
    }

    /**
     * Creates or changes an ACL user, as {@code ACL SETUSER name rules...}: e.g. {@code "on",
     * ">password", "~*", "&*", "+@all", "-subscribe"} for a user that may do anything but SUBSCRIBE.
     */
    public void setUser(String name, String... rules) {
        try (Jedis jedis = client()) {
            jedis.aclSetUser(name, rules);
        }
    }

    /**
     * Times this server refused a command before running it (an ACL denial among other
     * checks), since its start: {@code rejected_calls} of the command in {@code INFO commandstats}.
     */
    public long rejectedCalls(String command) {
        String prefix = "cmdstat_" + command.toLowerCase(Locale.ROOT) + ":";
        try (Jedis jedis = client()) {
            for (String line : jedis.info("commandstats").lines().toList()) {
                if (line.startsWith(prefix)) {
                    for (String field : line.substring(prefix.length()).split(",")) {
                        if (field.startsWith("rejected_calls=")) {
                            return Long.parseLong(field.substring("rejected_calls=".length()).trim());
                        }
                    }
                }
            }
        }
        return 0; // never called
    }

    /** Whether the process runs (it was not killed). */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            Assertions.fail("redis-server on port " + port + " did not die");
        }
    }

    /** Freezes the server (SIGSTOP): connections stay open but nothing answers, as in a network black hole. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a frozen server go on (SIGCONT). */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            Assertions.fail("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Starts the server again on the same port: empty, or with its data when persistent. */
    public void restart() throws IOException, InterruptedException {
        launch(findBinary());
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            try {
                thaw(); // a frozen process ignores nothing but SIGKILL; thaw it anyway
            } catch (IOException ignored) {
                // killed below all the same
            }
            kill();
        }
    }
}
