package org.ssechat.presence;

import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.ssechat.auth.Identity;
import org.ssechat.auth.RoomAccess;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.RoomNames;
import org.ssechat.chat.MessageValidator;
import org.ssechat.http.JsonResponses;
import org.ssechat.publish.PostHandler;
import org.ssechat.publish.PublishBodyParser;
import org.ssechat.publish.PublishHead;

/**
 * POST /typing: {@code {"room","user"}} (JSON or a form, as a message without its text) says
 * the sender is typing in the room. Refused like a post where the sender may not post; the
 * rate is its own (see ChatApplication). Answers {@code 204}; nothing is stored.
 */
public final class TypingPost implements PostHandler {

    private static final Logger LOG = Logger.getLogger(TypingPost.class.getName());

    private final PublishBodyParser parser;
    private final MessageValidator validator;
    private final RoomAccess access;
    private final PresenceHub presence;

    public TypingPost(PublishBodyParser parser, MessageValidator validator, RoomAccess access, PresenceHub presence) {
        this.parser = parser;
        this.validator = validator;
        this.access = access;
        this.presence = presence;
    }

    @Override
    public Answer handle(PublishHead.Accepted head, byte[] body, int length) {
        try {
            PublishBodyParser.Fields fields = parser.parse(head.mediaType(), body, length);
            String room = RoomNames.requested(fields.room());
            Identity identity = head.caller().identity();
            Reader typist = Reader.of(identity, identity != null ? null : validator.checkSender(fields.user()));
            Optional<RoomAccess.Denial> denial = access.check(head.caller(), room, true);
            if (denial.isPresent()) {
                return Answer.denied(denial.get());
            }
            presence.typing(room, typist);
            return new Answer(204, "", Map.of());
        } catch (ChatRequestException e) {
            return Answer.error(e.status(), e.getMessage());
        } catch (BrokerUnavailableException e) {
            LOG.fine("Could not signal typing: " + e.getMessage());
            return new Answer(503, JsonResponses.errorJson("the message broker is unavailable"),
                    Map.of("Retry-After", "2"));
        }
    }

    @Override
    public PublishBodyParser parser() {
        return parser;
    }
}
