package org.ssechat.sse.container;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Watches a stream's connection through its (finished, empty) request body: with a read listener
 * set, Tomcat reads ahead on the connection without blocking when asked how much is available,
 * and sees a connection its client closed.
 */
final class RequestBodyWatch implements PeerWatch {

    private final ServletInputStream body;

    private RequestBodyWatch(ServletInputStream body) {
        this.body = body;
    }

    static PeerWatch of(ServletRequest request, Consumer<String> onReadError) {
        try {
            ServletInputStream body = request.getInputStream();
            body.setReadListener(new ReadListener() {
                @Override
                public void onDataAvailable() {
                }

                @Override
                public void onAllDataRead() {
                }

                @Override
                public void onError(Throwable t) {
                    onReadError.accept("read error: " + t);
                }
            });
            return new RequestBodyWatch(body);
        } catch (IOException | RuntimeException notSupported) {
            return PeerWatch.NONE; // a request whose body was read another way: left to the writes
        }
    }

    @Override
    public boolean peerClosed() {
        try {
            // An event-stream client sends nothing after its request: anything readable is its end.
            return body.available() > 0;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
