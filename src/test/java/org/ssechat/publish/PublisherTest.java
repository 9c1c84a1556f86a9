package org.ssechat.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.ssechat.auth.Identity;
import org.ssechat.auth.RoomAccess;
import org.ssechat.auth.RoomGrant;
import org.ssechat.auth.TokenKeys;
import org.ssechat.auth.TokenVerifier;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.PublishOnce;
import org.ssechat.broker.Published;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.MessageValidator;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.EventId;

/** A whole POST /chat body to its answer, with no container: the publish on its own. */
class PublisherTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);
    private static final String JSON = "application/json";

    private final Broker broker = mock(Broker.class);
    private final ChatMetrics metrics = new ChatMetrics(() -> 0, () -> 0);
    private final RoomAccess access = new RoomAccess(new TokenVerifier(TokenKeys.from(
            Optional.of("0123456789abcdef0123456789abcdef"), Optional.empty()).orElseThrow(), Duration.ofSeconds(30),
            name -> null, CLOCK), false);
    private final Publisher publisher = new Publisher(new PublishBodyParser(16384), new MessageValidator(2000, 32),
            access, broker, metrics, CLOCK);

    private PostHandler.Answer post(RoomAccess.Caller caller, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return publisher.publish(caller, JSON, bytes, bytes.length);
    }

    @Test
    void aGoodMessageIsPublishedAndAnsweredAsPublished() throws Exception {
        when(broker.publish(any())).thenAnswer(call -> call.<ChatMessage>getArgument(0).withId(new EventId(7, 0)));
        PostHandler.Answer answer = post(RoomAccess.Caller.ANONYMOUS, "{\"user\":\"ann\",\"text\":\"hi\",\"room\":\"dev\"}");
        assertEquals(202, answer.status());
        assertTrue(answer.json().contains("\"id\":\"7-0\"") && answer.json().contains("\"room\":\"dev\""), answer.json());
        assertTrue(metrics.text().contains("sse_chat_messages_published_total 1"), metrics.text());
    }

    @Test
    void aMalformedBodyIsA400AndNothingIsPublished() throws Exception {
        PostHandler.Answer answer = post(RoomAccess.Caller.ANONYMOUS, "{\"user\":");
        assertEquals(400, answer.status());
        assertTrue(answer.json().startsWith("{\"error\":"), answer.json());
        verify(broker, never()).publish(any());
    }

    @Test
    void withATokenTheSenderIsTheTokensWhateverTheBodySays() throws Exception {
        when(broker.publish(any())).thenAnswer(call -> call.getArgument(0));
        Identity ann = new Identity("u-1", "Ann", CLOCK.instant().plusSeconds(600), new RoomGrant(List.of("*")),
                new RoomGrant(List.of("*")));
        post(new RoomAccess.Caller(ann, null), "{\"user\":\"mallory\",\"text\":\"hi\"}");
        ArgumentCaptor<ChatMessage> published = ArgumentCaptor.forClass(ChatMessage.class);
        verify(broker).publish(published.capture());
        assertEquals("Ann", published.getValue().user());
        assertEquals("u-1", published.getValue().userId());
    }

    @Test
    void aPrivateRoomWithoutATokenIsA401ThatSaysHowToAuthenticate() throws Exception {
        PostHandler.Answer answer = post(RoomAccess.Caller.ANONYMOUS, "{\"user\":\"ann\",\"text\":\"hi\",\"room\":\"private-x\"}");
        assertEquals(401, answer.status());
        assertEquals(Map.of("WWW-Authenticate", "Bearer realm=\"sse-chat\""), answer.headers());
        verify(broker, never()).publish(any());
    }

    @Test
    void aBrokerThatIsOutIsA503WithRetryAfterAndCounted() throws Exception {
        when(broker.publish(any())).thenThrow(new BrokerUnavailableException("down", null));
        PostHandler.Answer answer = post(RoomAccess.Caller.ANONYMOUS, "{\"user\":\"ann\",\"text\":\"hi\"}");
        assertEquals(503, answer.status());
        assertEquals(Map.of("Retry-After", "2"), answer.headers());
        assertTrue(metrics.text().contains("sse_chat_publish_failures_total 1"), metrics.text());
    }

    @Test
    void aRetryKeyAnswersTheFirstPublishAgainAndAnotherMessageWithItIsA422() throws Exception {
        ChatMessage first = new ChatMessage(new EventId(9, 0), "dev", "ann", "hi", CLOCK.instant());
        when(broker.publish(any(), any())).thenReturn(Published.fresh(first), Published.replayed(first),
                Published.conflict());
        byte[] body = "{\"user\":\"ann\",\"text\":\"hi\",\"room\":\"dev\"}".getBytes(StandardCharsets.UTF_8);
        PublishHead.Accepted head = new PublishHead.Accepted(RoomAccess.Caller.ANONYMOUS, JSON, "10.0.0.1", "k-1");

        PostHandler.Answer fresh = publisher.publish(head, body, body.length);
        PostHandler.Answer again = publisher.publish(head, body, body.length);
        PostHandler.Answer conflict = publisher.publish(head, body, body.length);

        assertEquals(202, fresh.status());
        assertEquals(Map.of(), fresh.headers());
        assertEquals(202, again.status());
        assertEquals(fresh.json(), again.json());
        assertEquals(Map.of(Publisher.REPLAYED_HEADER, "true"), again.headers());
        assertEquals(422, conflict.status());
        assertTrue(conflict.json().startsWith("{\"error\":"), conflict.json());
        assertTrue(metrics.text().contains("sse_chat_messages_published_total 1"), "a replay publishes nothing");
        ArgumentCaptor<PublishOnce> once = ArgumentCaptor.forClass(PublishOnce.class);
        verify(broker, org.mockito.Mockito.times(3)).publish(any(), once.capture());
        assertEquals(PublishOnce.of("10.0.0.1", "k-1", new ChatMessage(null, "dev", "ann", "hi", CLOCK.instant()),
                600_000), once.getValue());
        verify(broker, never()).publish(any());
    }
}
