package dev.sluice.core.security;

/**
 * The one way text from dead letters, messages and errors reaches an operator's terminal: every character
 * that could drive the terminal or hide what is shown becomes a visible escape, so content never controls
 * the screen and what is printed reads back unambiguously.
 *
 * <p>The escape style:
 * <ul>
 *   <li>a backslash is shown as two backslashes, so a literal backslash-u in the text can never be mistaken
 *       for an escape;</li>
 *   <li>line feed, carriage return and tab are shown as backslash-n, backslash-r and backslash-t;</li>
 *   <li>every other control character (C0 U+0000 to U+001F, U+007F, C1 U+0080 to U+009F), every format
 *       character (Unicode category Cf, which holds the bidi controls U+061C, U+200E, U+200F, U+202A to
 *       U+202E, U+2066 to U+2069 and the zero-width characters), the line and paragraph separators U+2028
 *       and U+2029, and an unpaired surrogate are shown as a backslash, {@code u} and four lower-case hex
 *       digits (ESC as <code>&#92;u001b</code>); a format character beyond U+FFFF as a backslash, {@code u}
 *       and its hex digits in braces (<code>&#92;u{e0001}</code>).</li>
 * </ul>
 * Everything else, letters of every script and emoji included, is shown as it is. Thread-safe, stateless.
 */
public final class TerminalText {
    private TerminalText() {}

    /**
     * @param text any text, e.g. an error type read from a dead letter; {@code null} reads as {@code "null"}
     * @return the text with every unsafe character escaped; the same instance when nothing needed escaping
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int first = firstToEscape(text);
        if (first < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (!unsafe(cp)) {
                        sb.appendCodePoint(cp);
                    } else if (cp <= 0xFFFF) {
                        sb.append(String.format("\\u%04x", cp));
                    } else {
                        sb.append(String.format("\\u{%x}", cp));
                    }
                }
            }
        }
        return sb.toString();
    }

    /**
     * @param codePoint a code point
     * @return whether {@link #escape} shows it as an escape rather than as itself
     */
    public static boolean unsafe(int codePoint) {
        if (codePoint == '\\' || codePoint < 0x20 || (codePoint >= 0x7F && codePoint <= 0x9F)) {
            return true;
        }
        int type = Character.getType(codePoint);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE;
    }

    private static int firstToEscape(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (unsafe(cp)) {
                return i;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }
}
