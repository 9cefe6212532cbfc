package dev.sluice.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TerminalTextTest {

    @ParameterizedTest(name = "U+{0}")
    // C0, DEL, C1 (among them 8-bit CSI U+009B), the bidi controls, zero-width and separator characters
    @ValueSource(ints = {0x0, 0x1, 0x7, 0x8, 0xB, 0xC, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9B, 0x9F,
            0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
            0x200B, 0x200D, 0xFEFF, 0x2028, 0x2029})
    void escape_shouldShowAControlOrBidiCharacter_asAVisibleUnicodeEscape(int unsafe) {
        // GIVEN an error type with a character that drives or reorders a terminal
        String text = "com.example." + Character.toString(unsafe) + "Boom";

        // WHEN escaped for the terminal
        String shown = TerminalText.escape(text);

        // THEN that character, and only it, is a backslash-u escape with four lower-case hex digits
        assertThat(shown).isEqualTo("com.example." + String.format("\\u%04x", unsafe) + "Boom");
        assertThat(TerminalText.unsafe(unsafe)).isTrue();
    }

    @Test
    void escape_shouldNeutraliseAnEscapeSequenceAndABidiOverride() {
        // GIVEN a clear-screen sequence, an 8-bit CSI and a right-to-left override an attacker put in an error type
        String text = "com.example.Boom\u001b[2J\u009b31m\u202Etxt.exe";

        // WHEN escaped
        String shown = TerminalText.escape(text);

        // THEN nothing in it is a control character any more, and every one is visible
        assertThat(shown).isEqualTo("com.example.Boom\\u001b[2J\\u009b31m\\u202etxt.exe");
        assertThat(shown.codePoints()).noneMatch(cp -> cp != '\\' && TerminalText.unsafe(cp));
    }

    @Test
    void escape_shouldUseShortEscapesForLineFeedCarriageReturnAndTab_andDoubleABackslash() {
        // GIVEN text with line breaks, a tab, and a literal backslash-u that only looks like an escape
        String text = "line1\nline2\r\tend C:\\u001b";

        // WHEN escaped
        String shown = TerminalText.escape(text);

        // THEN each break is visible, and the literal backslash is doubled so it cannot be read as an escape
        assertThat(shown).isEqualTo("line1\\nline2\\r\\tend C:\\\\u001b");
    }

    @Test
    void escape_shouldKeepOrdinaryTextOfEveryScript_asTheSameInstance() {
        // GIVEN text in several scripts, with an emoji (a surrogate pair) and U+FFFD
        String text = "Zürich 東京 مرحبا Ωmega \uD83D\uDE00 \uFFFD order ORD-2026-000123";

        // WHEN escaped THEN it is unchanged, and not even copied
        assertThat(TerminalText.escape(text)).isSameAs(text);
    }

    @Test
    void escape_shouldShowAnUnpairedSurrogate_andASupplementaryFormatCharacter() {
        // GIVEN a lone high surrogate and U+E0001 (LANGUAGE TAG, a format character beyond U+FFFF)
        String text = "a\uD83Db" + Character.toString(0xE0001);

        // WHEN escaped THEN both are visible escapes
        assertThat(TerminalText.escape(text)).isEqualTo("a\\ud83db\\u{e0001}");
    }

    @Test
    void escape_ofNull_isTheWordNull() {
        assertThat(TerminalText.escape(null)).isEqualTo("null");
    }

    @Property(tries = 2000)
    void escape_shouldNeverLetAnUnsafeCharacterThrough_andBeReversible(@ForAll String text) {
        // GIVEN any text WHEN escaped
        String shown = TerminalText.escape(text);

        // THEN no control, bidi or separator character is left, and unescaping gives back the text exactly
        assertThat(shown.codePoints()).noneMatch(cp -> TerminalText.unsafe(cp) && cp != '\\');
        assertThat(unescape(shown)).isEqualTo(text);
    }

    /** The inverse of the documented style, to prove the output is unambiguous. */
    private static String unescape(String shown) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char next = shown.charAt(++i);
            switch (next) {
                case '\\' -> sb.append('\\');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (shown.charAt(i + 1) == '{') {
                        int close = shown.indexOf('}', i);
                        sb.appendCodePoint(Integer.parseInt(shown.substring(i + 2, close), 16));
                        i = close;
                    } else {
                        sb.append((char) Integer.parseInt(shown.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                }
                default -> throw new AssertionError("unknown escape \\" + next + " in " + shown);
            }
        }
        return sb.toString();
    }
}
