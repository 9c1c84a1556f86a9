package org.ssechat.broker;

/** Test helper: compares Redis Stream ids ({@code millis-sequence}) numerically. */
public final class StreamIds {

    private StreamIds() {
    }

    public static int compare(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int byMillis = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return byMillis != 0 ? byMillis : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }
}
