package org.ssechat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.MessageValidator;
import org.ssechat.publish.PublishBodyParser;
import org.ssechat.testing.LogCapture;

/**
 * The start's warm-up runs the whole message path to its end. It stops early only by a fault of
 * ours, which it logs and otherwise hides (a stream that could not start in its stand-in async
 * context once stopped it at the first client).
 */
class WarmUpTest {

    @Test
    void theWarmUpRunsEveryRoundWithoutAFault() {
        List<String> logged;
        try (LogCapture log = LogCapture.of(WarmUp.class)) {
            new WarmUp(new MessageValidator(2000, 32), new PublishBodyParser(16384)).run();
            logged = log.atLeast(Level.ALL);
        }
        assertEquals(List.of(), logged);
    }
}
