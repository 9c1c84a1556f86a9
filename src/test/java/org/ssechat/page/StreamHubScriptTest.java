package org.ssechat.page;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.ssechat.testing.RequiredTool;

/**
 * The page's shared streams (webapp/stream-hub.js) under Node's test runner, with a fake
 * EventSource and fake timers (src/test/js): the cases a browser test cannot stage.
 */
class StreamHubScriptTest {

    @Test
    void theHubsScriptTestsPass() throws Exception {
        String node = findNode();
        Process process = new ProcessBuilder(node, "--test", "src/test/js/").redirectErrorStream(true).start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            Assertions.fail("node --test did not finish within 60 s:\n" + output);
        }
        assertEquals(0, process.exitValue(), "node --test src/test/js failed:\n" + output);
        // Not a run of nothing: the runner reports how many passed.
        Assertions.assertTrue(output.lines().anyMatch(line -> line.matches("# pass [1-9]\\d*")), output);
    }

    private static String findNode() {
        return RequiredTool.find("node is not installed (apt-get install nodejs, version 18 or newer); .ci/run installs it",
                "/usr/bin/node", "/usr/local/bin/node");
    }
}
