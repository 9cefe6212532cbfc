package dev.sluice.core.archive;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The canonical JSON serialization signatures are made over, defined here exactly so that any implementation can
 * reproduce it: objects with their keys sorted (by UTF-16 code unit, as {@link String#compareTo} orders them) at every
 * depth, arrays in their order, no whitespace anywhere, integers in decimal, {@code true}, {@code false},
 * {@code null}, and strings in double quotes with only {@code "} and {@code \} escaped (as {@code \"} and
 * {@code \\}) and every character below U+0020 written as {@code \}{@code u} and four lower-case hex digits; every
 * other character is itself. The text is encoded as UTF-8.
 */
public final class CanonicalJson {
    private CanonicalJson() {}

    /**
     * @param value a {@link Map} with string keys, a {@link List}, a {@link String}, an {@link Integer} or {@link Long},
     *     a {@link Boolean} or null, nested
     * @return its canonical serialization, UTF-8
     * @throws IllegalArgumentException for any other value (e.g. a floating-point number)
     */
    public static byte[] bytes(@Nullable Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b);
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(@Nullable Object value, StringBuilder b) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof String s) {
            string(s, b);
        } else if (value instanceof Integer || value instanceof Long) {
            b.append(value);
        } else if (value instanceof Boolean bool) {
            b.append(bool ? "true" : "false");
        } else if (value instanceof Map<?, ?> map) {
            TreeMap<String, @Nullable Object> sorted = new TreeMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("object keys must be strings, got " + e.getKey());
                }
                sorted.put(key, e.getValue());
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, @Nullable Object> e : sorted.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                string(e.getKey(), b);
                b.append(':');
                write(e.getValue(), b);
            }
            b.append('}');
        } else if (value instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(list.get(i), b);
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("no canonical form for a " + value.getClass().getName());
        }
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
