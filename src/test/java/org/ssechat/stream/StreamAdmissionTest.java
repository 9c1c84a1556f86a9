package org.ssechat.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ssechat.sse.StreamRefusal;

class StreamAdmissionTest {

    @Test
    void anAddressGetsItsCapAndOtherAddressesGoOn() {
        StreamAdmission admission = new StreamAdmission(10, 2);
        assertTrue(admission.admit("a").admitted());
        StreamAdmission.Decision second = admission.admit("a");
        assertTrue(second.admitted());
        assertEquals(StreamRefusal.Reason.ADDRESS, admission.admit("a").refusal());
        assertTrue(admission.admit("b").admitted());
        assertEquals(3, admission.open(), "a refused stream holds no place");

        second.ticket().release();
        second.ticket().release(); // twice gives back once
        assertEquals(2, admission.open());
        assertTrue(admission.admit("a").admitted(), "a place given back can be taken again");
    }

    @Test
    void theNodeCapComesFirstAndNothingIsHeldForRefusals() {
        StreamAdmission admission = new StreamAdmission(2, 100);
        admission.admit("a");
        admission.admit("b");
        assertTrue(admission.isFull());
        assertEquals(StreamRefusal.Reason.FULL, admission.admit("c").refusal());
        assertEquals(2, admission.open());
        assertEquals(2, admission.addresses(), "no entry for an address that was refused");
    }

    @Test
    void addressesWithoutStreamsAreForgotten() {
        StreamAdmission admission = new StreamAdmission(1000, 5);
        for (int i = 0; i < 500; i++) {
            admission.admit("10.0.0." + i).ticket().release();
        }
        assertEquals(0, admission.addresses());
        assertEquals(0, admission.open());
    }

    @Test
    void zeroMeansNoLimitPerAddress() {
        StreamAdmission admission = new StreamAdmission(1000, 0);
        for (int i = 0; i < 500; i++) {
            assertTrue(admission.admit("a").admitted());
        }
        assertEquals(0, admission.addresses(), "nothing is counted per address");
    }

    @Test
    void aStoppingNodeRefusesEveryStreamAsStopping() {
        StreamAdmission admission = new StreamAdmission(10, 10);
        admission.stop();
        StreamAdmission.Decision decision = admission.admit("a");
        assertFalse(decision.admitted());
        assertEquals(StreamRefusal.Reason.STOPPING, decision.refusal());
    }
}
