package org.ssechat.publish;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.auth.Identity;
import org.ssechat.auth.RoomAccess;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.PublishOnce;
import org.ssechat.broker.Published;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageJson;
import org.ssechat.chat.MessageValidator;
import org.ssechat.http.JsonResponses;
import org.ssechat.metrics.ChatMetrics;

/**
 * A whole {@code POST /chat} body to a published message: parsed, checked, allowed into its
 * room, sent through the broker. Its answer is {@code 202} with the message as published, or
 * the 4xx that says what was wrong, or {@code 503} while the broker is out.
 */
public final class Publisher implements PostHandler {

    private static final Logger LOG = Logger.getLogger(Publisher.class.getName());

    private final PublishBodyParser parser;
    private final MessageValidator validator;
    private final RoomAccess access;
    private final Broker broker;
    private final ChatMetrics metrics;
    private final Clock clock;
    private final long retryWindowMillis;
    private final LongAdder replayed = new LongAdder();
    private final LongAdder conflicts = new LongAdder();

    /** Says that an answer is the first publish's, again: nothing was published now. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    public Publisher(PublishBodyParser parser, MessageValidator validator, RoomAccess access, Broker broker,
            ChatMetrics metrics, Clock clock) {
        this(parser, validator, access, broker, metrics, clock, 600_000);
    }

    /** @param retryWindowMillis how long a retry key is kept ({@code CHAT_IDEMPOTENCY_WINDOW_SECONDS}) */
    public Publisher(PublishBodyParser parser, MessageValidator validator, RoomAccess access, Broker broker,
            ChatMetrics metrics, Clock clock, long retryWindowMillis) {
        this.retryWindowMillis = retryWindowMillis;
        metrics.counter("sse_chat_publish_retries_answered_total", "Posts with an Idempotency-Key already used for"
                + " the same message: answered again, nothing published.", replayed::sum);
        metrics.counter("sse_chat_publish_key_conflicts_total", "Posts refused (422) for an Idempotency-Key used for"
                + " another message.", conflicts::sum);
        this.parser = parser;
        this.validator = validator;
        this.access = access;
        this.broker = broker;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * @param caller    who the request's token says it is from
     * @param mediaType what {@link PublishBodyParser#checkHead} made of the request's content type
     */
    public Answer publish(RoomAccess.Caller caller, String mediaType, byte[] body, int length) {
        return publish(new PublishHead.Accepted(caller, mediaType), body, length);
    }

    @Override
    public Answer handle(PublishHead.Accepted head, byte[] body, int length) {
        return publish(head, body, length);
    }

    /** Publishes what the head accepted; with a retry key, once per key and message (see {@link Broker#publish(ChatMessage, PublishOnce)}). */
    public Answer publish(PublishHead.Accepted head, byte[] body, int length) {
        RoomAccess.Caller caller = head.caller();
        String mediaType = head.mediaType();
        try {
            PublishBodyParser.Fields fields = parser.parse(mediaType, body, length);
            Identity identity = caller.identity();
            // With a token the sender is the token's: a user in the body is ignored.
            ChatMessage message = validator.validate(identity != null ? identity.name() : fields.user(),
                    fields.text(), fields.room(), clock.instant());
            Optional<RoomAccess.Denial> denial = access.check(caller, message.room(), true);
            if (denial.isPresent()) {
                return Answer.denied(denial.get());
            }
            if (identity != null) {
                message = message.from(identity.name(), identity.subject());
            }
            if (head.retryKey() == null) {
                ChatMessage published = broker.publish(message);
                metrics.published();
                return new Answer(202, MessageJson.toJson(published), Map.of());
            }
            Published published = broker.publish(message, PublishOnce.of(head.sender(), head.retryKey(), message,
                    retryWindowMillis));
            return switch (published.outcome()) {
                case NEW -> {
                    metrics.published();
                    yield new Answer(202, MessageJson.toJson(published.message()), Map.of());
                }
                // What the first answered, again: a client whose answer was lost gets it now.
                case REPLAYED -> {
                    replayed.increment();
                    yield new Answer(202, MessageJson.toJson(published.message()), Map.of(REPLAYED_HEADER, "true"));
                }
                case CONFLICT -> {
                    conflicts.increment();
                    yield Answer.error(422, "this " + IdempotencyKey.HEADER + " was used for another message;"
                        + " use a new key for each message");
                }
            };
        } catch (ChatRequestException e) {
            return Answer.error(e.status(), e.getMessage());
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.WARNING, "Could not publish a message: {0}", e.getMessage());
            metrics.publishFailed();
            return new Answer(503, JsonResponses.errorJson("the message broker is unavailable; the message was not"
                    + " sent"), Map.of("Retry-After", "2"));
        }
    }

    @Override
    public PublishBodyParser parser() {
        return parser;
    }
}
