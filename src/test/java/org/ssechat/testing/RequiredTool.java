package org.ssechat.testing;

import java.io.File;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * An executable a test needs (redis-server, chromium, node): under CI ({@code CI=true}) a missing
 * one fails the test, elsewhere it skips it, saying what to install.
 */
public final class RequiredTool {

    private RequiredTool() {
    }

    /**
     * @param missing    what the test says when none is found: the tool and the package to install
     * @param candidates where the executable may be
     * @return the first candidate that can be run
     */
    public static String find(String missing, String... candidates) {
        for (String candidate : candidates) {
            if (new File(candidate).canExecute()) {
                return candidate;
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(missing);
        }
        Assumptions.abort(missing);
        return null; // not reached
    }
}
