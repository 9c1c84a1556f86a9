package org.ssechat.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class RedisUrlTest {

    @Test
    void oneServerAsJedisReadsIt() {
        RedisUrl url = RedisUrl.parse("rediss://:pw@cache.example.com:6380/2");
        assertFalse(url.isSentinel());
        assertTrue(url.tls());
        assertEquals("cache.example.com", url.uri().getHost());
    }

    @Test
    void sentinelsTheirPrimarysNameAndTheDataNodesCredentials() {
        RedisUrl url = RedisUrl.parse("redis-sentinel://app:p%40ss@10.0.0.1:26379,10.0.0.2:26380,sentinel-3:26381/3#orders");
        assertTrue(url.isSentinel());
        assertFalse(url.tls());
        assertEquals(List.of(new HostAndPort("10.0.0.1", 26379), new HostAndPort("10.0.0.2", 26380),
                new HostAndPort("sentinel-3", 26381)), url.nodes());
        assertEquals("orders", url.masterName());
        assertEquals("app", url.user());
        assertEquals("p@ss", url.password(), "percent-decoded");
        assertEquals(3, url.database());
        RedisUrl bare = RedisUrl.parse("rediss-sentinel://127.0.0.1:26379#mymaster");
        assertTrue(bare.tls());
        assertNull(bare.user());
        assertNull(bare.password());
        assertEquals(-1, bare.database());
        assertEquals("secret", RedisUrl.parse("redis-sentinel://secret@h:1#m").password(), "a password alone, as Lettuce reads it");
    }

    @Test
    void clusterNodesAndTheirCredentials() {
        RedisUrl url = RedisUrl.parse("redis-cluster://app:s%3Acret@10.0.0.1:7000,10.0.0.2:7001");
        assertTrue(url.cluster());
        assertFalse(url.isSentinel());
        assertFalse(url.tls());
        assertEquals(List.of(new HostAndPort("10.0.0.1", 7000), new HostAndPort("10.0.0.2", 7001)), url.nodes());
        assertEquals("app", url.user());
        assertEquals("s:cret", url.password());
        assertTrue(RedisUrl.parse("rediss-cluster://h:7000").tls());
        assertFalse(RedisUrl.parse("redis://h:6379").cluster());
    }

    @Test
    void whatIsWrongIsSaidAndNoPasswordEchoed() {
        for (String bad : List.of("redis-cluster://h", "redis-cluster://:pw@h:7000/1", "redis-cluster://h:7000#m",
                "redis-cluster://", "redis-sentinel://h:26379", "redis-sentinel://h#m", "redis-sentinel://h:x#m",
                "redis-sentinel://#m", "redis-sentinel://h:1/zero#m", "http://h:1", "redis://", "nonsense")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse(bad), bad);
            assertFalse(e.getMessage().contains("pw"), e.getMessage());
        }
    }
}
