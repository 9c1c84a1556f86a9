package org.ssechat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.MessageValidator;
import org.ssechat.chat.PublishBodyParser;

/**
 * The start's warm-up runs the whole message path to its end. It stops early only by a fault of
 * ours, which it logs and otherwise hides (a stream that could not start in its stand-in async
 * context once stopped it at the first client).
 */
class WarmUpTest {

    @Test
    void theWarmUpRunsEveryRoundWithoutAFault() {
        Logger log = Logger.getLogger(WarmUp.class.getName());
        List<String> logged = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getMessage() + ": " + record.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            new WarmUp(new MessageValidator(2000, 32), new PublishBodyParser(16384)).run();
        } finally {
            log.removeHandler(handler);
        }
        assertEquals(List.of(), logged);
    }
}
