package dev.sluice.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures.Verification;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any change to a signed byte or attribute fails verification; a change to anything unsigned does not. */
class MessageSignaturesProperties {
    private static final Instant SENT = Instant.parse("2026-12-05T10:00:00Z");
    private static final MessageSignatures SIGNATURES = MessageSignatures.with(SigningKeys.of("k1",
            Map.of("k1", "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    // the producer-set attributes of form 1 (key id and sent-at are set by sign)
    private static final List<String> PRODUCER_SIGNED = MessageSignatures.SIGNED.stream()
            .filter(n -> !n.equals(SluiceAttributes.KEY_ID) && !n.equals(SluiceAttributes.SENT_AT)).toList();

    record Sent(byte[] body, Map<String, String> attributes) {}

    /** One change to what was sent: a body byte, or a signed attribute changed, removed or added. */
    record Change(int kind, int index, String name, String value) {}

    @Provide
    Arbitrary<Sent> messages() {
        Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(300);
        Arbitrary<Map<String, String>> attributes = Arbitraries.subsetOf(PRODUCER_SIGNED).flatMap(names ->
                Arbitraries.strings().all().ofMinLength(0).ofMaxLength(20).list().ofSize(names.size()).map(values -> {
                    Map<String, String> map = new HashMap<>();
                    int i = 0;
                    for (String name : names) {
                        map.put(name, values.get(i++));
                    }
                    return map;
                }));
        return Combinators.combine(bodies, attributes).as((body, attrs) -> {
            Map<String, String> all = new HashMap<>(attrs);
            all.putAll(SIGNATURES.sign(body, attrs, SENT));
            return new Sent(body, all);
        });
    }

    @Provide
    Arbitrary<Change> changes() {
        return Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.of(MessageSignatures.SIGNED), Arbitraries.strings().all().ofMaxLength(20))
                .as(Change::new);
    }

    @Property(tries = 500)
    void anyChangeToASignedByteOrAttribute_failsVerification(@ForAll("messages") Sent sent, @ForAll("changes") Change change) {
        byte[] body = sent.body().clone();
        Map<String, String> attributes = new HashMap<>(sent.attributes());
        if (change.kind() == 0 && body.length > 0) {
            body[change.index() % body.length] ^= (byte) (1 + change.index() % 255);
        } else {
            String before = attributes.get(change.name());
            if (before == null) {
                attributes.put(change.name(), change.value());
            } else if (before.equals(change.value())) {
                attributes.remove(change.name());
            } else {
                attributes.put(change.name(), change.value());
            }
        }
        Verification verification = SIGNATURES.verify(body, attributes, SENT);

        boolean unchanged = Arrays.equals(body, sent.body()) && attributes.equals(sent.attributes());
        assertThat(verification).isInstanceOf(unchanged ? Verification.Valid.class : Verification.Invalid.class);
    }

    @Property(tries = 200)
    void unsignedAttributes_canChangeFreely(@ForAll("messages") Sent sent, @ForAll String value) {
        Map<String, String> attributes = new HashMap<>(sent.attributes());
        attributes.put(SluiceAttributes.REDRIVE_COUNT, value);
        attributes.put(SluiceAttributes.ORIGINAL_MESSAGE_ID, value);
        attributes.put(SluiceAttributes.CORRELATION_ID, value);

        assertThat(SIGNATURES.verify(sent.body(), attributes, SENT)).isInstanceOf(Verification.Valid.class);
    }
}
