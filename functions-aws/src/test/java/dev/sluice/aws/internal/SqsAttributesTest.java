package dev.sluice.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

class SqsAttributesTest {

    private static Map<String, MessageAttributeValue> strings(int n, String prefix) {
        Map<String, MessageAttributeValue> map = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            map.put(prefix + i, SqsAttributes.string("v" + i));
        }
        return map;
    }

    @Test
    void tenAttributesOrFewer_areSentAsTheyAre() {
        // GIVEN exactly ten attributes
        Map<String, MessageAttributeValue> ten = strings(10, "a");
        // WHEN packed
        // THEN nothing changes
        assertThat(SqsAttributes.pack(ten)).isEqualTo(ten);
    }

    @Test
    void moreThanTen_keepNineIndividualInPriorityOrder_andPackTheRestLosslessly() {
        // GIVEN an envelope (9 sluice-* attributes) plus 4 producer attributes, one of them binary and one a number
        Map<String, MessageAttributeValue> all = new LinkedHashMap<>(strings(2, "app-"));
        all.put("blob", MessageAttributeValue.builder().dataType("Binary").binaryValue(SdkBytes.fromByteArray(new byte[] {1, 2, 3})).build());
        all.put("price", MessageAttributeValue.builder().dataType("Number").stringValue("12.5").build());
        for (String name : new String[] {"sluice-error-type", "sluice-error-message", "sluice-error-fingerprint", "sluice-attempts",
                "sluice-first-failure-at", "sluice-last-failure-at", "sluice-source-queue"}) {
            all.put(name, SqsAttributes.string("x"));
        }
        all.put("sluice-original-message-id", SqsAttributes.string("id-1"));
        all.put("sluice-failure-kind", SqsAttributes.string("POISON"));
        // WHEN packed
        Map<String, MessageAttributeValue> packed = SqsAttributes.pack(all);
        // THEN SQS's limit holds, the failure kind and stable id stay individual
        assertThat(packed).hasSize(10).containsKeys("sluice-failure-kind", "sluice-original-message-id", SqsAttributes.PACKED);
        assertThat(packed.keySet()).startsWith("sluice-failure-kind", "sluice-original-message-id");
        // AND unpacking restores every attribute with its data type
        assertThat(SqsAttributes.unpack(packed)).containsExactlyInAnyOrderEntriesOf(all);
    }

    @Test
    void anEmptyValue_whichSqsWouldReject_travelsPacked() {
        // GIVEN an attribute with an empty value
        Map<String, MessageAttributeValue> attrs = Map.of("empty", SqsAttributes.string(""), "ok", SqsAttributes.string("1"));
        // WHEN packed
        Map<String, MessageAttributeValue> packed = SqsAttributes.pack(attrs);
        // THEN it is not sent as an attribute of its own, and comes back on unpack
        assertThat(packed).doesNotContainKey("empty");
        assertThat(SqsAttributes.unpack(packed)).containsEntry("empty", SqsAttributes.string(""));
    }

    @Test
    void aCorruptPackedAttribute_isKeptAsItIs() {
        // GIVEN a packed attribute that is not JSON
        Map<String, MessageAttributeValue> attrs = Map.of(SqsAttributes.PACKED, SqsAttributes.string("{oops"));
        // WHEN unpacked
        // THEN nothing is lost or thrown
        assertThat(SqsAttributes.unpack(attrs)).isEqualTo(attrs);
    }

    @Test
    void theClaimCheckSizeAttribute_staysIndividualAndANumber_whenAManyAttributeMessageIsPacked() {
        // GIVEN a claim-checked message with twelve attributes, the size attribute last (where the envelope puts it)
        Map<String, MessageAttributeValue> all = new LinkedHashMap<>(strings(11, "app-"));
        all.put("ExtendedPayloadSize", SqsAttributes.number("409600"));
        // WHEN packed
        Map<String, MessageAttributeValue> packed = SqsAttributes.pack(all);
        // THEN the Extended Client Library still finds it as a native Number attribute
        assertThat(packed).hasSize(10).containsEntry("ExtendedPayloadSize", SqsAttributes.number("409600"));
        // AND the pipeline sees it, typed, after unpacking
        assertThat(SqsAttributes.toCore(SqsAttributes.unpack(packed)).get("ExtendedPayloadSize"))
                .satisfies(v -> {
                    assertThat(v.dataType()).isEqualTo("Number");
                    assertThat(v.text()).isEqualTo("409600");
                });
        assertThat(SqsAttributes.toText(SqsAttributes.unpack(packed))).containsEntry("ExtendedPayloadSize", "409600")
                .containsKeys("app-1", "app-11");
    }
}
