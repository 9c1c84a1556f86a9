package org.ssechat.sse;

/** What the streams report for operators; see the metrics package. Must not block. */
public interface StreamStats {

    /** Nothing is counted: for tests. */
    StreamStats NONE = new StreamStats() {
        @Override
        public void framesWritten(int frames) {
        }

        @Override
        public void slowClientDisconnected() {
        }
    };

    /** Frames (events, comments) went out to a socket. */
    void framesWritten(int frames);

    /** A stream's socket was flushed with this many chat messages written since its last flush (one or more). */
    default void messagesFlushed(int messages) {
    }

    /** A client fell further behind than its buffer allows and was cut off. */
    void slowClientDisconnected();

    /** A write found a client gone (its connection closed or reset) and the stream was closed. */
    default void clientVanished() {
    }

    /** A stream's async request began: the container will say when it has finished it. */
    default void streamStarted() {
    }

    /** The container finished a stream's request ({@code AsyncListener.onComplete}). */
    default void streamFinished() {
    }
}
