package dev.sluice.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextsTest {
    private static final String FFFD = "\uFFFD";

    @ParameterizedTest(name = "U+{0}")
    // every range SQS rejects in attribute values: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF
    @ValueSource(ints = {0x0, 0x1, 0x8, 0xB, 0xC, 0xE, 0x1B, 0x1F, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xFFFE, 0xFFFF})
    void providerSafe_shouldReplaceACharacterSqsRejects_visibly(int forbidden) {
        // GIVEN an order id with a character SQS rejects in a message attribute
        String text = "order o-" + (char) forbidden + "-7";

        // WHEN made safe
        String safe = Texts.providerSafe(text);

        // THEN that character, and only it, is U+FFFD
        assertThat(safe).isEqualTo("order o-" + FFFD + "-7");
        assertThat(safe.codePoints()).allMatch(Texts::providerSafe);
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(ints = {0x9, 0xA, 0xD, 0x20, 0x7F, 0x85, 0xD7FF, 0xE000, 0xFFFD, 0x10000, 0x1F600, 0x10FFFF})
    void providerSafe_shouldKeepEveryCharacterSqsAccepts(int allowed) {
        String text = "a" + Character.toString(allowed) + "b";

        assertThat(Texts.providerSafe(text)).isSameAs(text);
    }

    @Test
    void providerSafe_shouldKeepSurrogatePairs_butReplaceUnpairedHalves() {
        // GIVEN an emoji (a surrogate pair), a lone high surrogate before a letter and a lone low surrogate at the end
        String text = "\uD83D\uDE00 x\uD83Dy\uDE00";

        // THEN the pair stays one character, each lone half becomes one U+FFFD
        assertThat(Texts.providerSafe(text)).isEqualTo("\uD83D\uDE00 x" + FFFD + "y" + FFFD);
    }

    @Test
    void attributeValue_shouldFitTheLimit_afterReplacementsGrewTheText() {
        // GIVEN 400 control characters: 400 bytes, but 1,200 once each is a 3-byte U+FFFD
        String text = "\u0001".repeat(400);

        // WHEN made an attribute of at most 512 bytes
        String value = Texts.attributeValue(text, 512);

        // THEN it holds whole replacement characters only, within the limit
        assertThat(value).isEqualTo(FFFD.repeat(170));
        assertThat(value.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(512);
    }

    @Test
    void attributeValue_shouldNotSplitASurrogatePair_atTheLimit() {
        String value = Texts.attributeValue("a" + "\uD83D\uDE00".repeat(10), 10);

        assertThat(value).isEqualTo("a\uD83D\uDE00\uD83D\uDE00");
    }

    @Test
    void redactedAttributeValue_shouldRedactASecretGluedToAControlCharacter() {
        // GIVEN a bearer token after a vertical tab, which the redactor reads as whitespace and SQS rejects
        String text = "auth failed: Bearer\u000Babcdefghijklmnop for o-1\u0000";

        // WHEN made an attribute value
        String value = Texts.redactedAttributeValue(text, 1024);

        // THEN the token is redacted (redaction ran first), and both controls are replaced
        assertThat(value).isEqualTo("auth failed: Bearer [REDACTED_TOKEN] for o-1" + FFFD);
    }

    @Test
    void redactedAttributeValue_shouldKeepRedaction_atTheTruncationBoundary() {
        // GIVEN control characters that push an e-mail address across the 1,024-byte limit once replaced
        String text = "\u0002".repeat(338) + " jane.roe@example.com trailing";

        // WHEN made an attribute value
        String value = Texts.redactedAttributeValue(text, 1024);

        // THEN no part of the address survives the cut, and the value fits
        assertThat(value).doesNotContain("jane").doesNotContain("example");
        assertThat(value.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(1024);
    }

    @Test
    void redacted_shouldDropASecretCutByTheRedactionBound_evenWhenRedactionShrankTheTextBeforeIt() {
        // GIVEN a 9,000-character JWT (redacted to 14 characters), then an AWS secret cut by the 8 KiB bound
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0." + "s".repeat(9_000);
        String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        String text = jwt.substring(0, 8_170) + " " + secret + " end";

        // WHEN redacted to 1 KiB
        String value = Texts.redacted(text, 1024);

        // THEN the cut secret is dropped, not shown unrecognised
        assertThat(value).startsWith("[REDACTED_JWT]").doesNotContain("wJalr");
    }

    @Property(tries = 300)
    void redactedAttributeValue_isAlwaysSafeBoundedAndRedacted(@ForAll("texts") String noise, @ForAll("cuts") int cut) {
        // GIVEN arbitrary text (controls, surrogates, astral characters) with an e-mail address at any position
        String text = noise.substring(0, Math.min(cut, noise.length())) + " jane.roe@example.com "
                + noise.substring(Math.min(cut, noise.length()));

        // WHEN made an attribute value
        String value = Texts.redactedAttributeValue(text, 256);

        // THEN every provider accepts it, it fits, it is well-formed UTF-16, and the address never shows
        assertThat(value.codePoints()).allMatch(Texts::providerSafe);
        assertThat(value.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(256);
        assertThat(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(value);
        assertThat(value).doesNotContain("jane.roe").doesNotContain("@example");
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<Character> any = Arbitraries.chars().all();
        Arbitrary<Character> controls = Arbitraries.chars().range('\u0000', '\u001F');
        Arbitrary<Character> surrogates = Arbitraries.chars().range('\uD800', '\uDFFF');
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().withChars('a', 'b', ' ', '.').ofMaxLength(1)),
                net.jqwik.api.Tuple.of(1, any.map(String::valueOf)),
                net.jqwik.api.Tuple.of(1, controls.map(String::valueOf)),
                net.jqwik.api.Tuple.of(1, surrogates.map(String::valueOf)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just("\uD83D\uDE00")))
                .list().ofMaxSize(400).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, 400);
    }
}
