package dev.sluice.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {
    private static final String CORPUS = "/redaction-corpus.txt";
    private static final String MARKER = "\\[REDACTED(_[A-Z_]+)?]";

    private final Redactor redactor = Redactor.standard();

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("secrets")
    void redact_shouldMaskSecret_andKeepSurroundingText(String template, String secret) {
        // GIVEN a line with a secret in it
        int at = template.indexOf("{}");
        String prefix = template.substring(0, at);
        String suffix = template.substring(at + 2);

        // WHEN it is redacted
        String redacted = redactor.redact(prefix + secret + suffix);

        // THEN the secret is one marker and everything around it is unchanged
        assertThat(redacted).startsWith(prefix).endsWith(suffix);
        assertThat(redacted.substring(prefix.length(), redacted.length() - suffix.length()))
                .as("what replaced %s", secret)
                .matches(MARKER);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("ordinaryText")
    void redact_shouldLeaveOrdinaryTextByteForByte(String text) {
        // WHEN ordinary text is redacted
        String redacted = redactor.redact(text);

        // THEN nothing changed
        assertThat(redacted).isEqualTo(text);
    }

    @Test
    void corpus_shouldHoldOnlyLuhnInvalidNumbers_inItsNotACardLines() {
        // GIVEN the corpus lines that claim "not a card"
        List<String> notCards = corpus().stream()
                .filter(line -> line.startsWith("keep | not a card: "))
                .map(line -> line.substring("keep | not a card: ".length()))
                .toList();

        // THEN they really fail the Luhn check (else the keep cases would prove nothing)
        assertThat(notCards).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(number -> assertThat(Redactor.luhnValid(number)).as(number).isFalse());
        assertThat(Redactor.luhnValid("4915123456787")).as("the phone number in the corpus is Luhn-valid").isTrue();
    }

    @Test
    void redact_shouldMaskEverySecret_whenSeveralShareOneLine() {
        // GIVEN an error message with four kinds of secret
        String text = "user jane@example.com paid with 4111 1111 1111 1111 using key AKIAIOSFODNN7EXAMPLE "
                + "and header Authorization: Bearer abc123def456ghi789 for ORD-2026-000123";

        // WHEN redacted
        String redacted = redactor.redact(text);

        // THEN each is masked and the order id survives
        assertThat(redacted).isEqualTo("user [REDACTED_EMAIL] paid with [REDACTED_CARD] using key [REDACTED_AWS_ACCESS_KEY] "
                + "and header Authorization: Bearer [REDACTED_TOKEN] for ORD-2026-000123");
    }

    @Test
    void standard_shouldMaskCards_onItsFirstUse() {
        // Regression: STANDARD was created before the static CARD pattern was, so the card rule held a null
        // pattern and every redact() of non-empty text threw NullPointerException.
        // WHEN the shared redactor masks a card
        String redacted = Redactor.standard().redact("card 5555555555554444");

        // THEN it works and is the same instance every time
        assertThat(redacted).isEqualTo("card [REDACTED_CARD]");
        assertThat(Redactor.standard()).isSameAs(redactor);
    }

    @Test
    void redact_shouldReturnEmptyText_unchanged() {
        assertThat(redactor.redact("")).isEmpty();
    }

    @Test
    void redact_shouldBeIdempotent() {
        // GIVEN text redacted once
        String once = redactor.redact("jane@example.com 4111111111111111 AKIAIOSFODNN7EXAMPLE secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

        // WHEN redacted again (e.g. an envelope read back and written again)
        String twice = redactor.redact(once);

        // THEN nothing more changes
        assertThat(twice).isEqualTo(once);
    }

    @Test
    void redact_shouldLeaveRandomUuidsAndDigests_unchanged() {
        // Regression: about 1 in 1000 UUIDs and 1 in 500 SHA-256 digests hold a Luhn-valid run of digits that
        // was masked as a card. Fixed seed: the same 20,000 values every run.
        SplittableRandom random = new SplittableRandom(20_260_115L);
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            // GIVEN a random UUID and a random SHA-256 hex digest
            String uuid = new UUID(random.nextLong(), random.nextLong()).toString();
            byte[] digest = new byte[32];
            random.nextBytes(digest);
            String hex = HexFormat.of().formatHex(digest);

            // WHEN redacted THEN unchanged
            if (!redactor.redact(uuid).equals(uuid)) {
                changed.add(uuid);
            }
            if (!redactor.redact(hex).equals(hex)) {
                changed.add(hex);
            }
        }
        assertThat(changed).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111111111111111", "4111 1111 1111 1111", "378282246310005", "6011-1111-1111-1117",
            "2223003122003222", "4222222222222"})
    void luhnValid_shouldAccept_validCardNumbers(String number) {
        assertThat(Redactor.luhnValid(number)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111111111111112", "1234567890123", "424242424242", "42424242424242424242", "0000"})
    void luhnValid_shouldReject_invalidChecksumsAndLengths(String number) {
        assertThat(Redactor.luhnValid(number)).isFalse();
    }

    static Stream<Arguments> secrets() {
        return corpus().stream()
                .filter(line -> line.startsWith("mask | "))
                .map(line -> {
                    String[] parts = line.split(" \\| ", 3);
                    String secret = parts[1];
                    String template = parts[2];
                    assertThat(template).as("corpus line %s", line).contains("{}");
                    return Arguments.of(named(template.replace("{}", "<" + secret + ">"), template), secret);
                });
    }

    static Stream<String> ordinaryText() {
        return corpus().stream()
                .filter(line -> line.startsWith("keep | "))
                .map(line -> line.substring("keep | ".length()));
    }

    private static List<String> corpus() {
        try (InputStream in = Objects.requireNonNull(RedactorTest.class.getResourceAsStream(CORPUS), CORPUS);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + CORPUS, e);
        }
    }

    @org.junit.jupiter.api.Test
    void redact_staysLinear_onHugeRunsAnAttackerCanSend() {
        // GIVEN megabyte-long runs of digits, letters, local-part characters and base64 (regression: the e-mail
        // pattern once scanned each run from every position, a minute of CPU for 100,000 digits)
        List<String> attacks = List.of("7".repeat(1_000_000), "a".repeat(1_000_000), "a.".repeat(500_000),
                "eyJ".repeat(300_000), "Ab1/".repeat(250_000), ("x".repeat(60) + "@").repeat(16_000));

        // WHEN they are redacted, THEN each finishes promptly and ordinary text stays as it was
        for (String attack : attacks) {
            String result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                    () -> Redactor.standard().redact(attack));
            assertThat(result).isNotEmpty();
        }
        assertThat(Redactor.standard().redact("7".repeat(100_000))).isEqualTo("7".repeat(100_000));
    }

    static Stream<Arguments> authorizationHeaders() {
        List<String> headers = List.of("Authorization", "authorization", "AUTHORIZATION", "Proxy-Authorization",
                "proxy-authorization");
        List<String> schemes = List.of("Bearer", "bearer", "Basic", "BASIC", "Digest", "Token", "Negotiate", "ApiKey",
                "MyCompanyAuth");
        List<String> credentials = List.of("a", "ab", "abc1234", "x/y+z=", "dXNlcjpwYXNz", "secret-token-of-any-length");
        List<Arguments> all = new ArrayList<>();
        for (String header : headers) {
            for (String scheme : schemes) {
                for (String credential : credentials) {
                    all.add(Arguments.of(header, scheme, credential));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("authorizationHeaders")
    void redact_shouldMaskAnAuthorizationCredential_whateverItsSchemeCaseAndLength(String header, String scheme,
            String credential) {
        // GIVEN an error message quoting a header, with a credential of any length (regression: under 8 passed)
        String text = "upstream returned 401 for " + header + ": " + scheme + " " + credential + " on order o-1";

        // WHEN redacted
        String redacted = redactor.redact(text);

        // THEN the header and scheme stay, the credential is one marker
        assertThat(redacted).isEqualTo("upstream returned 401 for " + header + ": " + scheme + " [REDACTED_TOKEN] on order o-1");
    }

    @Test
    void redact_shouldMaskAnAuthorizationCredential_withoutAScheme_andInAJsonHeaderDump() {
        // GIVEN a scheme-less credential and a header map serialised as JSON
        String text = "Authorization: k_1 failed; headers {\"authorization\":\"Bearer t0k\",\"accept\":\"*/*\"}";

        // WHEN redacted
        String redacted = redactor.redact(text);

        // THEN both credentials are masked and the JSON stays well-formed
        assertThat(redacted).isEqualTo("Authorization: [REDACTED_TOKEN] failed; headers "
                + "{\"authorization\":\"Bearer [REDACTED_TOKEN]\",\"accept\":\"*/*\"}");
        assertThat(redactor.redact(redacted)).isEqualTo(redacted);
    }
}
