package dev.sluice.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PowertoolsKeysTest {

    @Test
    void theRecordId_isFunctionDotHandlerHashMd5OfTheKeyText() {
        // GIVEN Powertools' format <function>.<handler>#<md5 hex, 32 digits>
        // WHEN / THEN (md5("o-1") computed independently)
        assertThat(PowertoolsKeys.recordId("orders-fn.handleRequest", "o-1"))
                .isEqualTo("orders-fn.handleRequest#" + PowertoolsKeys.md5Hex("o-1"))
                .matches("orders-fn\\.handleRequest#[0-9a-f]{32}");
        assertThat(PowertoolsKeys.md5Hex("")).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
        assertThat(PowertoolsKeys.md5Hex("abc")).isEqualTo("900150983cd24fb0d6963f7d28e17f72");
    }
}
