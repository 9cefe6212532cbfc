package dev.sluice.core.security;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Masks secrets and personal data in text that leaves the pipeline (error messages, log lines,
 * inspect excerpts): e-mail addresses, Luhn-valid card numbers, JWTs, bearer tokens, the credential of an
 * {@code Authorization} or {@code Proxy-Authorization} header whatever its scheme and length, AWS access keys
 * and secret keys, and Azure connection-string keys. Ordinary text (order ids, amounts, timestamps)
 * is left as it is. Thread-safe.
 */
public final class Redactor {
    /**
     * @param hint lower-case text every match contains (whatever its case in the input), or null: a rule whose
     *     hint is absent is skipped without running its expression
     */
    private record Rule(Pattern pattern, Function<Matcher, String> replacement, @Nullable String hint) {}

    // A card stands alone: not glued to a word or a hex/UUID group (digit runs inside digests and UUIDs are
    // often Luhn-valid), not part of a decimal number, but may end a sentence ("... card 4111...1111.").
    private static final Pattern CARD = Pattern.compile(
            "(?<![\\w+]|\\w-|\\d\\.)[2-6](?:[ -]?\\d){12,18}(?![\\w]|\\.\\d|-\\w)");

    private static final String AUTH_PARAM = "[A-Za-z0-9_-]{1,64}=(?:\"[^\"\\r\\n]{0,1024}\"|[^\\s,\"'()<>\\[\\]{}]{0,1024})";

    // (1) header name, (2) separator, (3) scheme and its whitespace, if any (possessive: a scheme is never
    // re-read as the credential); the credential follows, unless an earlier rule already masked it.
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "(?i)\\b((?:proxy-)?authorization)([\"']?[ \\t]{0,16}[:=][ \\t]{0,16}[\"']?)"
                    + "((?:basic|bearer|digest|negotiate|ntlm|token|oauth|hoba|mutual|dpop|gnap|concealed|privatetoken"
                    + "|scram-sha-1|scram-sha-256|vapid|aws|aws4-hmac-sha256|sharedkey|sharedkeylite|sharedaccesssignature"
                    + "|apikey|api-key|key|jwt|mac|hawk|ssws|splunk|[A-Za-z][A-Za-z-]{0,63}(?=[ \\t]+[^\\s\"',;]))[ \\t]{1,16})?+"
                    + "(?!\\[REDACTED)(?:" + AUTH_PARAM + "(?:[ \\t]{0,16},[ \\t]{0,16}" + AUTH_PARAM + "){0,32}"
                    + "(?![^\\s,\"'()<>\\[\\]{}])|[^\\s\"',;()<>\\[\\]{}]+)");

    private static final int SHORTEST_MATCH = 13;

    // Declared after CARD: static fields initialise in text order, and the rules read CARD.
    private static final Redactor STANDARD = new Redactor();

    private final List<Rule> rules = List.of(
            // Every pattern starts only where its run of characters starts, and repeats are bounded, so the cost
            // stays linear in the text: an attacker's 100,000-character attribute must not stall a consumer.
            new Rule(Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"),
                    m -> "[REDACTED_JWT]", "eyj"),
            // An Authorization or Proxy-Authorization header: whatever follows the scheme is a credential, however
            // short. A scheme is a registered or common one, or a word of letters and hyphens followed by more;
            // anything else after the colon is itself the credential. Auth-params (Digest, AWS4-HMAC-SHA256) are
            // masked as a whole list.
            new Rule(AUTHORIZATION, m -> m.group(1) + m.group(2) + (m.group(3) == null ? "" : m.group(3)) + "[REDACTED_TOKEN]",
                    "authorization"),
            new Rule(Pattern.compile("(?i)\\b(bearer)\\s+[A-Za-z0-9._~+/=-]{8,}"),
                    m -> m.group(1) + " [REDACTED_TOKEN]", "bearer"),
            new Rule(Pattern.compile("(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,63}(?![A-Za-z0-9-])"),
                    m -> "[REDACTED_EMAIL]", "@"),
            new Rule(Pattern.compile("\\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\\b"),
                    m -> "[REDACTED_AWS_ACCESS_KEY]", null),
            new Rule(Pattern.compile("(?i)(secret_?access_?key|aws_?secret(?:_?key)?)([\"'\\s]*[:=][\"'\\s]*)([A-Za-z0-9/+=]{16,})"),
                    m -> m.group(1) + m.group(2) + "[REDACTED_AWS_SECRET]", "secret"),
            // A bare 40-character AWS secret: mixed case and a digit, so hex digests are not touched.
            new Rule(Pattern.compile("(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}\\d)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
                    m -> "[REDACTED_AWS_SECRET]", null),
            new Rule(Pattern.compile("(?i)\\b(SharedAccessKey|AccountKey|SharedAccessSignature|sig|password|pwd)=([^;&\\s\"']+)"),
                    m -> m.group(1) + "=[REDACTED]", "="),
            new Rule(CARD, m -> luhnValid(m.group()) ? "[REDACTED_CARD]" : m.group(), null));

    private Redactor() {}

    /** @return the standard redactor */
    public static Redactor standard() {
        return STANDARD;
    }

    /**
     * @param text any text
     * @return the text with every sensitive value masked
     */
    public String redact(String text) {
        if (text.length() < SHORTEST_MATCH && text.indexOf('@') < 0 && text.indexOf('=') < 0) {
            // every rule without an '@' or '=' needs at least 13 characters (a card's digits): nothing to mask
            return text;
        }
        String result = text;
        String lower = null;
        for (Rule rule : rules) {
            if (rule.hint() != null) {
                if (lower == null) {
                    lower = result.toLowerCase(Locale.ROOT);
                }
                if (!lower.contains(rule.hint())) {
                    continue;
                }
            }
            Matcher matcher = rule.pattern().matcher(result);
            if (!matcher.find()) {
                continue;
            }
            StringBuilder sb = new StringBuilder(result.length());
            do {
                matcher.appendReplacement(sb, Matcher.quoteReplacement(rule.replacement().apply(matcher)));
            } while (matcher.find());
            matcher.appendTail(sb);
            result = sb.toString();
            lower = null;
        }
        return result;
    }

    static boolean luhnValid(String candidate) {
        int sum = 0;
        int digits = 0;
        boolean doubleIt = false;
        for (int i = candidate.length() - 1; i >= 0; i--) {
            char c = candidate.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
            digits++;
        }
        return digits >= 13 && digits <= 19 && sum % 10 == 0;
    }
}
