package org.ssechat.app;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageJson;
import org.ssechat.chat.MessageValidator;
import org.ssechat.publish.PublishBodyParser;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.EventBatch;
import org.ssechat.sse.EventId;
import org.ssechat.sse.SseClient;
import org.ssechat.sse.StreamStats;
import org.ssechat.sse.container.FrameSink;
import org.ssechat.sse.container.PeerWatch;

/**
 * Runs the application's own message path (parse, validate, encode, fan out) a few thousand
 * times on a background thread as the application starts, so the JIT has compiled it before
 * the first messages, instead of while they go out. The clients here write into nothing; no
 * real stream, room or metric is touched.
 */
final class WarmUp implements Runnable {

    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());
    /** Enough for the JIT's second tier (about 10,000 calls of a method), a few hundred ms of one core. */
    static final int ROUNDS = 20_000;
    private static final int CLIENTS = 8;

    private final MessageValidator validator;
    private final PublishBodyParser parser;

    WarmUp(MessageValidator validator, PublishBodyParser parser) {
        this.validator = validator;
        this.parser = parser;
    }

    /** Starts it on a daemon thread of its own, which ends when done, or when interrupted. */
    static Thread start(MessageValidator validator, PublishBodyParser parser) {
        Thread thread = new Thread(new WarmUp(validator, parser), "sse-chat-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        try {
            ClientRegistry clients = new ClientRegistry();
            for (int i = 0; i < CLIENTS; i++) {
                // A stand-in: written the servlet API's way, and with no connection to watch.
                // Half of them follow a second room too: the many-room road is compiled as well.
                List<String> rooms = i % 2 == 0 ? List.of("warm-up") : List.of("warm-up", "warm-up-" + i);
                SseClient client = new SseClient(asyncWriting(new Sink()), rooms, 1 << 20, c -> { },
                        StreamStats.NONE, Runnable::run, FrameSink.ARRAY, (async, onReadError) -> PeerWatch.NONE);
                client.start();
                clients.add(client);
            }
            byte[] body = "{\"user\":\"warm\",\"text\":\"up 😀 the JIT\",\"room\":\"warm-up\"}".getBytes(StandardCharsets.UTF_8);
            EventBatch.Builder batch = EventBatch.builder();
            for (int i = 0; i < ROUNDS && !Thread.currentThread().isInterrupted(); i++) {
                PublishBodyParser.Fields fields = parser.parse(parser.checkHead("application/json", body.length), body,
                        body.length);
                ChatMessage message = validator.validate(fields.user(), fields.text(), fields.room(), Instant.now())
                        .withId(new EventId(i + 1, 0));
                MessageJson.toJson(message);
                batch.add(message.room(), message.id(), ChatEvents.message(message));
                // Most go out alone, as in a quiet room; some together (in threes and twos), as in a busy one.
                if (batch.size() >= (i % 16 < 12 ? 1 : 3)) {
                    clients.broadcastBatch(batch.build());
                    batch = EventBatch.builder();
                }
            }
            clients.closeAll("warmed up");
        } catch (ChatRequestException | IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "The warm-up stopped early", e);
        }
    }

    /** An output stream that is always ready and keeps nothing. */
    private static final class Sink extends ServletOutputStream {
        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            try {
                listener.onWritePossible();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    /** An async context whose response writes into the sink; nothing else is asked of it here. */
    private static AsyncContext asyncWriting(ServletOutputStream out) {
        ServletResponse response = (ServletResponse) Proxy.newProxyInstance(WarmUp.class.getClassLoader(),
                new Class<?>[] {ServletResponse.class}, (proxy, method, args) ->
                        method.getName().equals("getOutputStream") ? out : null);
        return (AsyncContext) Proxy.newProxyInstance(WarmUp.class.getClassLoader(), new Class<?>[] {AsyncContext.class},
                (proxy, method, args) -> method.getName().equals("getResponse") ? response : null);
    }
}
