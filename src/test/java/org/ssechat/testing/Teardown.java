package org.ssechat.testing;

/**
 * Closes what a test started, in the order given, skipping what was never started: a setup
 * skipped halfway (no redis-server on this machine, say) leaves nulls behind, and the teardown
 * must not fail on them. Every part is closed even when one fails; the first failure is thrown.
 */
public final class Teardown {

    private Teardown() {
    }

    public static void close(AutoCloseable... parts) throws Exception {
        Exception first = null;
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
