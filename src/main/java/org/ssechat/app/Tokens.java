package org.ssechat.app;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.ssechat.auth.RoomAccess;
import org.ssechat.auth.TokenKeys;
import org.ssechat.auth.TokenVerifier;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageValidator;
import org.ssechat.config.ChatConfig;
import org.ssechat.config.ConfigException;

/** The token rules the configuration asks for: who may read and post where. */
final class Tokens {

    private Tokens() {
    }

    /** Tokens from the configured keys, or none (every room open) when no key is set. */
    static RoomAccess roomAccess(ChatConfig config, MessageValidator names, Clock clock) {
        Optional<TokenKeys> keys = TokenKeys.from(config.jwtSecret(), config.jwtPublicKey());
        if (keys.isEmpty() && config.authRequired()) {
            throw new ConfigException("CHAT_AUTH=required needs a key to check tokens with: set CHAT_JWT_SECRET or"
                    + " CHAT_JWT_PUBLIC_KEY");
        }
        TokenVerifier.NameRule nameRule = name -> {
            try {
                names.checkSender(name);
                return null;
            } catch (ChatRequestException e) {
                return e.getMessage();
            }
        };
        return new RoomAccess(keys.map(k -> new TokenVerifier(k, Duration.ofSeconds(config.jwtClockSkewSeconds()),
                nameRule, clock)).orElse(null), config.authRequired());
    }
}
