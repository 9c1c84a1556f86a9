package org.ssechat.testing;

import java.net.URI;
import java.net.http.HttpResponse;

/** Reads one value from a node's {@code GET /metrics} (the Prometheus text format). */
public final class Metrics {

    private Metrics() {
    }

    /**
     * The value of a sample without labels, or of the sample with exactly these labels
     * ({@code name{reason="full"}}); fails the test when the node does not report it.
     */
    public static long value(URI base, String sample) throws Exception {
        HttpResponse<String> response = ChatHttp.get(base, "metrics");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /metrics answered " + response.statusCode());
        }
        return response.body().lines()
                .filter(line -> line.startsWith(sample + " "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(sample.length() + 1).trim()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample + " in /metrics:\n" + response.body()));
    }
}
