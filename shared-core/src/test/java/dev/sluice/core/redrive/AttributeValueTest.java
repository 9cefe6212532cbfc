package dev.sluice.core.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributeValueTest {
    @Test
    void dataTypes_areSqsSyntax_onEveryCloud() {
        assertThat(AttributeValue.text("Number.long", "9").customType()).isEqualTo("long");
        assertThat(AttributeValue.baseType("Binary.png")).isEqualTo("Binary");
        assertThatThrownBy(() -> AttributeValue.text("Blob", "x")).hasMessageContaining("String, Number or Binary");
        assertThatThrownBy(() -> AttributeValue.text("Binary", "x")).hasMessageContaining("carries bytes");
        assertThatThrownBy(() -> AttributeValue.binary("String", new byte[] {1})).hasMessageContaining("carries text");
    }

    @Test
    void bytes_areCopied_andCompareByContent_andNeverPrinted() {
        byte[] bytes = {1, 2};
        AttributeValue value = AttributeValue.binary("Binary", bytes);
        bytes[0] = 9;

        assertThat(value.binary()).containsExactly(1, 2);
        assertThat(value).isEqualTo(AttributeValue.binary("Binary", new byte[] {1, 2})).hasSameHashCodeAs(
                AttributeValue.binary("Binary", new byte[] {1, 2}));
        assertThat(AttributeValue.text("String", "secret").toString()).doesNotContain("secret");
    }

    @Test
    void retype_keepsTypesOfUnchangedText_makesChangedOrNewOnesStrings_andKeepsBinaryOriginals() {
        Map<String, AttributeValue> originals = new LinkedHashMap<>();
        originals.put("n", AttributeValue.text("Number.int", "7"));
        originals.put("changed", AttributeValue.text("Number.int", "1"));
        originals.put("bytes", AttributeValue.binary("Binary", new byte[] {0}));
        Map<String, String> text = new LinkedHashMap<>();
        text.put("n", "7");
        text.put("changed", "2");
        text.put("new", "x");

        Map<String, AttributeValue> typed = AttributeValue.retype(text, originals);

        assertThat(typed).containsExactly(Map.entry("n", AttributeValue.text("Number.int", "7")),
                Map.entry("changed", AttributeValue.string("2")), Map.entry("new", AttributeValue.string("x")),
                Map.entry("bytes", AttributeValue.binary("Binary", new byte[] {0})));
    }

    @Test
    void aDeadLetter_keepsTextAndTypedAttributesInAgreement() {
        Map<String, AttributeValue> typed = new LinkedHashMap<>();
        typed.put("n", AttributeValue.text("Number.int", "7"));
        typed.put("bytes", AttributeValue.binary("Binary", new byte[] {0}));
        DeadLetter letter = DeadLetter.typed("h", "p", new byte[0], typed, Instant.EPOCH, "g", null, Map.of());

        assertThat(letter.attributes()).containsExactly(Map.entry("n", "7"));
        assertThat(letter.typed(letter.redriveAttributes())).containsEntry("n", AttributeValue.text("Number.int", "7"))
                .containsEntry("bytes", AttributeValue.binary("Binary", new byte[] {0}))
                .containsEntry(SluiceAttributes.REDRIVE_COUNT, AttributeValue.string("1"));
    }
}
