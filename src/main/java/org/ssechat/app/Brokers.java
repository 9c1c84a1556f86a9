package org.ssechat.app;

import java.time.Clock;
import org.ssechat.broker.Broker;
import org.ssechat.broker.InMemoryBroker;
import org.ssechat.config.ChatConfig;
import org.ssechat.config.ConfigException;

/** Chooses the broker the configuration asks for: Redis when REDIS_URL is set, else in-process. */
final class Brokers {

    private Brokers() {
    }

    static Broker create(ChatConfig config, Clock clock) {
        if (config.redisUrl().isPresent()) {
            throw new ConfigException("REDIS_URL is set, but this version has no Redis broker yet");
        }
        return new InMemoryBroker(clock);
    }
}
