package org.ssechat.app;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import org.ssechat.broker.Broker;
import org.ssechat.broker.InMemoryBroker;
import org.ssechat.broker.redis.RedisBroker;
import org.ssechat.broker.redis.cluster.RedisClusterBroker;
import org.ssechat.broker.redis.RedisUrl;
import org.ssechat.chat.MessageValidator;
import org.ssechat.config.ChatConfig;

/** Chooses the broker the configuration asks for: Redis (one server, Sentinel or a Cluster) when REDIS_URL is set, else in-process. */
final class Brokers {

    private Brokers() {
    }

    static Broker create(ChatConfig config, MessageValidator validator, Clock clock,
            ScheduledExecutorService scheduler) {
        if (config.redisUrl().isEmpty()) {
            return new InMemoryBroker(config.historySize(), config.historyMaxBytes(), clock);
        }
        // A payload from the channel may escape every character in six (a JSON unicode escape).
        int maxPayloadChars = 6 * (config.maxTextLength() + config.maxUserLength()) + 1024;
        RedisUrl url = RedisUrl.parse(config.redisUrl().get().toString());
        if (url.cluster()) {
            return new RedisClusterBroker(url, config.channel(), config.historySize(), config.historyTtlSeconds(),
                    validator, maxPayloadChars, config.redisQueueBytes(), clock, scheduler);
        }
        return new RedisBroker(config.redisUrl().get(), config.channel(), config.historySize(),
                config.historyTtlSeconds(), validator, maxPayloadChars, config.redisQueueBytes(), clock, scheduler);
    }
}
