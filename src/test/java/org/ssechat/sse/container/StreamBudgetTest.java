package org.ssechat.sse.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StreamBudgetTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void halfTheHeapAtWhatAStreamCostsInItsContainer() {
        assertEquals(512 * MIB / 2 / StreamBudget.JETTY_STREAM_BYTES,
                StreamBudget.defaultMaxStreams(512 * MIB, "jetty/12.0.31"));
        assertEquals(512 * MIB / 2 / StreamBudget.TOMCAT_STREAM_BYTES,
                StreamBudget.defaultMaxStreams(512 * MIB, "Apache Tomcat/10.1.60"));
    }

    @Test
    void aContainerNotKnownIsCountedLikeTomcatAndATinyHeapStillTakesSome() {
        assertEquals(StreamBudget.TOMCAT_STREAM_BYTES, StreamBudget.costPerStream("WildFly Full 35"));
        assertEquals(StreamBudget.TOMCAT_STREAM_BYTES, StreamBudget.costPerStream(null));
        assertEquals(StreamBudget.MIN_STREAMS, StreamBudget.defaultMaxStreams(MIB, "jetty/12"));
    }
}
