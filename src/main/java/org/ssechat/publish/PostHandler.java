package org.ssechat.publish;

import java.util.Map;
import org.ssechat.auth.AuthAnswers;
import org.ssechat.auth.RoomAccess;
import org.ssechat.http.JsonResponses;

/**
 * What a POST endpoint does with a whole body its head accepted: {@code POST /chat} publishes
 * it ({@link Publisher}), {@code POST /typing} signals it. {@link PublishExchange} reads the
 * body for either without holding a thread.
 */
public interface PostHandler {

    /** An answer for the client: status, JSON body (empty for a 204), and the headers it needs. */
    record Answer(int status, String json, Map<String, String> headers) {
        public static Answer error(int status, String message) {
            return new Answer(status, JsonResponses.errorJson(message), Map.of());
        }

        /** A token or room refusal, with the challenge a 401 carries. */
        public static Answer denied(RoomAccess.Denial denial) {
            String challenge = AuthAnswers.challenge(denial);
            return new Answer(denial.status(), JsonResponses.errorJson(denial.error()),
                    challenge == null ? Map.of() : Map.of("WWW-Authenticate", challenge));
        }
    }

    Answer handle(PublishHead.Accepted head, byte[] body, int length);

    /** What reads the body: its limit is the handler's. */
    PublishBodyParser parser();

    /** The largest body this handler takes. */
    default int maxBodyBytes() {
        return parser().maxBodyBytes();
    }

    /** What a 413 says of a body past {@link #maxBodyBytes()}. */
    default String tooLargeMessage() {
        return parser().tooLarge().getMessage();
    }
}
