package dev.sluice.tests.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.tests.aws.ChaosLedger.Plan;
import dev.sluice.tests.aws.ChaosLedger.Sent;
import org.junit.jupiter.api.Test;

/** The ledger's own arithmetic: what it prints as lost is what a user would call lost. */
class ChaosLedgerTest {

    @Test
    void aMessageAcknowledgedWithoutItsEffect_isCountedAsLost() {
        // GIVEN two orders sent; the function acknowledged both but applied only the first
        ChaosLedger ledger = new ChaosLedger();
        ledger.sent(new Sent("m-1", "o-1", "g", Plan.NORMAL, false));
        ledger.sent(new Sent("m-2", "o-2", "g", Plan.NORMAL, false));
        ledger.effect("o-1", "g");
        ledger.acknowledged("m-1");
        ledger.acknowledged("m-2");

        // WHEN the ledger is read
        var effects = ledger.effectCounts();

        // THEN the unapplied order is lost, and the summary says so
        assertThat(ledger.lost(effects)).containsExactly("key o-2: no effect, not dead-lettered");
        assertThat(ledger.summary("test", effects, 0)).containsPattern("lost \\(no effect and no DLQ, or no ack\\) +1");
    }

    @Test
    void aDeadLetteredOrder_andAnAppliedOne_areNotLost_butAnUnacknowledgedSendIs() {
        ChaosLedger ledger = new ChaosLedger();
        ledger.sent(new Sent("m-1", "o-1", "g", Plan.POISON, false));
        ledger.sent(new Sent("m-2", "o-2", "g", Plan.NORMAL, false));
        ledger.sent(new Sent("m-3", "o-2", "g", Plan.NORMAL, true));
        ledger.deadLetter("m-1", "POISON");
        ledger.effect("o-2", "g");
        ledger.acknowledged("m-2");

        assertThat(ledger.lost(ledger.effectCounts()))
                .containsExactly("message m-3 (key o-2): neither acknowledged nor dead-lettered");
    }
}
