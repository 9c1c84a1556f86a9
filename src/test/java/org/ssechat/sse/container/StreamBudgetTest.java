package org.ssechat.sse.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StreamBudgetTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void halfTheHeapAtWhatAStreamCostsInItsContainer() {
        assertEquals(512 * MIB / 2 / ServletContainer.JETTY_STREAM_BYTES, StreamBudget.defaultMaxStreams(512 * MIB,
                ServletContainer.of(ServletContainer.Kind.JETTY).streamBytes()));
        assertEquals(512 * MIB / 2 / ServletContainer.TOMCAT_STREAM_BYTES, StreamBudget.defaultMaxStreams(512 * MIB,
                ServletContainer.of(ServletContainer.Kind.TOMCAT).streamBytes()));
    }

    @Test
    void aContainerNotKnownIsCountedLikeTomcatAndATinyHeapStillTakesSome() {
        assertEquals(ServletContainer.TOMCAT_STREAM_BYTES, ServletContainer.of(ServletContainer.Kind.OTHER).streamBytes());
        assertEquals(StreamBudget.MIN_STREAMS, StreamBudget.defaultMaxStreams(MIB, ServletContainer.JETTY_STREAM_BYTES));
    }
}
