package org.ssechat.sse.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ssechat.sse.SseClient;
import org.ssechat.sse.StreamStats;
import org.ssechat.testing.FakeOutput;

/**
 * Which watch a stream gets, and what the request-body watch makes of what the container says.
 * The Jetty watch reads a real connection: VanishingClientsIT, StockContainersIT and Http2IT.
 */
class PeerWatchTest {

    private final AsyncContext async = mock(AsyncContext.class);
    private final ServletRequest request = mock(ServletRequest.class);
    private final ServletInputStream body = mock(ServletInputStream.class);
    private final List<String> readErrors = new ArrayList<>();

    private final ServletContainer tomcat = ServletContainer.of(ServletContainer.Kind.TOMCAT);

    @Test
    void aRequestThatIsNotJettysIsWatchedThroughItsBodyEvenInJetty() throws Exception {
        when(async.getRequest()).thenReturn(request);
        when(request.getInputStream()).thenReturn(body);
        PeerWatch watch = ServletContainer.of(ServletContainer.Kind.JETTY).watch(async, readErrors::add);
        assertInstanceOf(RequestBodyWatch.class, watch);
    }

    @Test
    void theBodyWatchTakesAnythingReadableOrAnyFailureAsTheClientsEnd() throws Exception {
        when(async.getRequest()).thenReturn(request);
        when(request.getInputStream()).thenReturn(body);
        PeerWatch watch = tomcat.watch(async, readErrors::add);
        when(body.available()).thenReturn(0);
        assertFalse(watch.peerClosed(), "nothing to read: the client is still there");
        when(body.available()).thenReturn(1);
        assertTrue(watch.peerClosed(), "an event-stream client sends nothing after its request");
        when(body.available()).thenThrow(new IOException("Connection reset"));
        assertTrue(watch.peerClosed(), "a failed look is a broken connection");
    }

    @Test
    void theBodyWatchPassesOnAReadErrorTheContainerReports() throws Exception {
        when(async.getRequest()).thenReturn(request);
        when(request.getInputStream()).thenReturn(body);
        doAnswer(call -> {
            call.getArgument(0, ReadListener.class).onError(new IOException("stream reset"));
            return null;
        }).when(body).setReadListener(any());
        tomcat.watch(async, readErrors::add);
        assertEquals(List.of("read error: java.io.IOException: stream reset"), readErrors);
    }

    @Test
    void aBodyReadAnotherWayIsLeftToTheWrites() throws Exception {
        when(async.getRequest()).thenReturn(request);
        when(request.getInputStream()).thenThrow(new IllegalStateException("getReader() was called"));
        assertSame(PeerWatch.NONE, tomcat.watch(async, readErrors::add));
    }

    @Test
    void aClosedStreamIsNotLookedAtAgain() throws Exception {
        ServletResponse response = mock(ServletResponse.class);
        when(response.getOutputStream()).thenReturn(new FakeOutput());
        when(async.getResponse()).thenReturn(response);
        when(async.getRequest()).thenReturn(request);
        when(request.getInputStream()).thenReturn(body);
        when(body.available()).thenReturn(1);
        SseClient client = new SseClient(async, List.of("room"), 1024, closed -> { }, StreamStats.NONE, Runnable::run,
                FrameSink.ARRAY, tomcat::watch);
        client.start();
        assertTrue(client.peerClosed());
        client.close("done");
        assertFalse(client.peerClosed(), "once completed, the container may read the connection again");
    }
}
