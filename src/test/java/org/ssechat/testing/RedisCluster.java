package org.ssechat.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A private Redis Cluster for one test class: three primaries with a replica each, real
 * redis-server processes on free ports, joined by {@code redis-cli --cluster create
 * --cluster-replicas 1}. A node is found failed after {@link #NODE_TIMEOUT_MILLIS}, so a killed
 * primary's replica takes over within a few seconds.
 */
public final class RedisCluster implements AutoCloseable {

    public static final long NODE_TIMEOUT_MILLIS = 1000;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<RedisServer> nodes = new ArrayList<>();

    private RedisCluster() {
    }

    public static RedisCluster start() throws Exception {
        RedisCluster cluster = new RedisCluster();
        try {
            for (int i = 0; i < 6; i++) {
                cluster.nodes.add(RedisServer.startClusterNode(NODE_TIMEOUT_MILLIS));
            }
            String cli = RequiredTool.find("redis-cli is not installed (apt-get install redis-tools, which"
                    + " redis-server brings); .ci/run installs it", "/usr/bin/redis-cli", "/usr/local/bin/redis-cli");
            List<String> command = new ArrayList<>(List.of(cli, "--cluster", "create"));
            cluster.nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
            command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                Assertions.fail("redis-cli --cluster create failed:\n" + output);
            }
            Await.until("every cluster node sees the cluster ok, with 3 primaries and 3 replicas in sync", READY_TIMEOUT,
                    cluster::settled);
            return cluster;
        } catch (Throwable e) {
            cluster.close();
            throw e;
        }
    }

    /** Every live node says the cluster is ok and knows three primaries with slots and three replicas. */
    private boolean settled() {
        for (RedisServer node : nodes) {
            if (!node.isAlive()) {
                continue;
            }
            try (Jedis jedis = node.client()) {
                if (!jedis.clusterInfo().contains("cluster_state:ok")) {
                    return false;
                }
                long primaries = jedis.clusterNodes().lines()
                        .filter(line -> line.contains("master") && !line.contains("fail") && line.split(" ").length > 8)
                        .count();
                long replicas = jedis.clusterNodes().lines()
                        .filter(line -> line.contains("slave") && !line.contains("fail")).count();
                if (primaries != 3 || replicas != nodes.stream().filter(RedisServer::isAlive).count() - 3) {
                    return false;
                }
                String replication = jedis.info("replication");
                if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                    return false; // a replica not in sync yet could not take over
                }
            }
        }
        return true;
    }

    /** {@code redis-cluster://127.0.0.1:P1,127.0.0.1:P2,...}: every node, as operators list them. */
    public String url() {
        StringBuilder url = new StringBuilder("redis-cluster://");
        for (RedisServer node : nodes) {
            url.append(url.length() > "redis-cluster://".length() ? "," : "").append("127.0.0.1:").append(node.port());
        }
        return url.toString();
    }

    /** {@code redis-cluster://user:password@127.0.0.1:P1,...}: every node, connected to as an ACL user. */
    public String url(String user, String password) {
        return url().replace("redis-cluster://", "redis-cluster://" + user + ":" + password + "@");
    }

    /**
     * Creates or changes an ACL user on every live node (ACLs are each node's own), as
     * {@link RedisServer#setUser}: e.g. {@code "on", ">pw", "~*", "&*", "+@all", "-ssubscribe"}.
     */
    public void setUser(String name, String... rules) {
        for (RedisServer node : nodes) {
            if (node.isAlive()) {
                node.setUser(name, rules);
            }
        }
    }

    /** Times the live nodes refused a command (an ACL denial among other checks) since they started. */
    public long rejectedCalls(String command) {
        long calls = 0;
        for (RedisServer node : nodes) {
            if (node.isAlive()) {
                calls += node.rejectedCalls(command);
            }
        }
        return calls;
    }

    /** The slot of a key or channel (its hash tag's, when it has one). */
    public static int slotOf(String key) {
        return JedisClusterCRC16.getSlot(key);
    }

    /** The live primary that owns a slot now. */
    public RedisServer primaryOf(int slot) {
        for (RedisServer node : nodes) {
            if (!node.isAlive()) {
                continue;
            }
            try (Jedis jedis = node.client()) {
                if (!jedis.info("replication").contains("role:master")) {
                    continue;
                }
                for (String line : jedis.clusterNodes().lines().toList()) {
                    String[] fields = line.split(" ");
                    if (!fields[2].contains("myself")) {
                        continue;
                    }
                    for (int i = 8; i < fields.length; i++) {
                        if (fields[i].startsWith("[")) {
                            continue; // a slot being migrated or imported
                        }
                        String[] range = fields[i].split("-");
                        int from = Integer.parseInt(range[0]);
                        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                        if (slot >= from && slot <= to) {
                            return node;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no live primary owns slot " + slot);
    }

    /** The live primaries now. */
    public List<RedisServer> primaries() {
        List<RedisServer> primaries = new ArrayList<>();
        for (RedisServer node : nodes) {
            if (node.isAlive()) {
                try (Jedis jedis = node.client()) {
                    if (jedis.info("replication").contains("role:master")) {
                        primaries.add(node);
                    }
                }
            }
        }
        return primaries;
    }

    /**
     * Kills the primary that owns a slot (SIGKILL) and waits until its replica took over and
     * every live node sees the cluster ok again.
     */
    public RedisServer killPrimaryOf(int slot) throws Exception {
        RedisServer primary = primaryOf(slot);
        primary.kill();
        Await.until("the killed primary's replica takes over its slots", READY_TIMEOUT, () -> {
            try {
                return primaryOf(slot) != primary && clusterOkEverywhere();
            } catch (AssertionError notYet) {
                return false;
            }
        });
        return primary;
    }

    private boolean clusterOkEverywhere() {
        for (RedisServer node : nodes) {
            if (node.isAlive()) {
                try (Jedis jedis = node.client()) {
                    if (!jedis.clusterInfo().contains("cluster_state:ok")) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Moves one slot, with its keys, to another primary, as {@code redis-cli --cluster reshard}
     * does: IMPORTING, MIGRATING, MIGRATE of each key, then the slot's new owner told to every primary.
     */
    public void moveSlot(int slot, RedisServer to) {
        RedisServer from = primaryOf(slot);
        try (Jedis source = from.client(); Jedis target = to.client()) {
            String sourceId = source.clusterMyId();
            String targetId = target.clusterMyId();
            target.clusterSetSlotImporting(slot, sourceId);
            source.clusterSetSlotMigrating(slot, targetId);
            List<String> keys;
            while (!(keys = source.clusterGetKeysInSlot(slot, 100)).isEmpty()) {
                source.migrate("127.0.0.1", to.port(), 0, 5000,
                        new redis.clients.jedis.params.MigrateParams(), keys.toArray(new String[0]));
            }
            target.clusterSetSlotNode(slot, targetId);
            source.clusterSetSlotNode(slot, targetId);
            for (RedisServer primary : primaries()) {
                if (primary != from && primary != to) {
                    try (Jedis other = primary.client()) {
                        other.clusterSetSlotNode(slot, targetId);
                    }
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        Teardown.close(nodes.toArray(new AutoCloseable[0]));
    }
}
