package dev.sluice.core.redrive;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.SluiceException;
import dev.sluice.core.security.Redactor;
import dev.sluice.core.security.TerminalText;
import dev.sluice.core.security.Texts;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Summaries of dead letters for operators, built without ever parsing a body (a dead-lettered body
 * may be an exploit): groups by failure kind and error fingerprint, metadata, sizes and a redacted,
 * printable excerpt of the first bytes.
 */
public final class DeadLetterInspection {
    /** Bytes of a body shown in an excerpt. */
    public static final int EXCERPT_BYTES = 160;

    /** Bytes of a body read and redacted for an excerpt, so a secret the excerpt's cut crosses is still recognised. */
    public static final int REDACTION_WINDOW = 64 * 1024;

    // Exports keep every value exact, yet may go to a terminal: a JSON escape (backslash-u, read back as the same
    // character by any JSON reader) for every character TerminalText would escape, not only those JSON requires.
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setCharacterEscapes(new TerminalSafeJsonEscapes());
    }

    private static final class TerminalSafeJsonEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

        TerminalSafeJsonEscapes() {
            ascii[0x7F] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch > 0x7F && TerminalText.unsafe(ch)
                    ? new SerializedString(String.format("\\u%04x", ch))
                    : null;
        }
    }

    private DeadLetterInspection() {}

    /**
     * Dead letters with the same failure kind and error fingerprint.
     *
     * @param failureKind the kind, or {@code UNKNOWN} for messages without a Sluice envelope
     * @param errorType the error type of the first member
     * @param errorFingerprint the fingerprint, or {@code none}
     * @param sampleError the redacted error message of the first member
     * @param count members
     * @param totalBytes their body bytes
     * @param oldestFailure the earliest failure
     * @param newestFailure the latest failure
     * @param sampleIds up to five stable ids
     */
    public record Group(String failureKind, String errorType, String errorFingerprint, String sampleError, int count,
                        long totalBytes, Instant oldestFailure, Instant newestFailure, List<String> sampleIds) {}

    /**
     * @param deadLetters dead letters, e.g. one scan of a queue
     * @return groups, largest first
     */
    public static List<Group> group(List<DeadLetter> deadLetters) {
        Map<String, List<DeadLetter>> byKey = new LinkedHashMap<>();
        for (DeadLetter d : deadLetters) {
            String key = d.envelope().map(e -> e.failureKind() + "|" + e.errorFingerprint()).orElse("UNKNOWN|none");
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
        }
        List<Group> groups = new ArrayList<>();
        byKey.forEach((key, members) -> {
            DeadLetter first = members.get(0);
            var envelope = first.envelope();
            groups.add(new Group(
                    envelope.map(e -> e.failureKind().name()).orElse("UNKNOWN"),
                    envelope.map(DeadLetterEnvelope::errorType).orElse("unknown"),
                    envelope.map(DeadLetterEnvelope::errorFingerprint).orElse("none"),
                    envelope.map(DeadLetterEnvelope::errorMessage).orElse(""),
                    members.size(),
                    members.stream().mapToLong(m -> m.body().length).sum(),
                    members.stream().map(DeadLetter::failedAt).min(Comparator.naturalOrder()).orElseThrow(),
                    members.stream().map(DeadLetter::failedAt).max(Comparator.naturalOrder()).orElseThrow(),
                    members.stream().limit(5).map(DeadLetter::originalMessageId).toList()));
        });
        groups.sort(Comparator.comparingInt(Group::count).reversed());
        return groups;
    }

    /**
     * A printable, redacted view of a body's first {@value #EXCERPT_BYTES} bytes: valid UTF-8 is shown as
     * text, escaped for a terminal by {@link TerminalText#escape}; anything else as a binary note. Never parsed.
     *
     * @param body the body bytes
     * @return the excerpt, safe to print
     */
    public static String excerpt(byte[] body) {
        return TerminalText.escape(excerptText(body));
    }

    /**
     * The redacted text of a body's first {@value #EXCERPT_BYTES} bytes (once redacted), not yet escaped: for
     * callers that escape all they print in one place. Redaction runs before the cut, over up to
     * {@value #REDACTION_WINDOW} bytes, so a secret the cut crosses is masked, never shown in part; when the body
     * is longer than that window, a run of non-separator characters the window cuts is dropped rather than kept
     * unrecognised. Ends with {@code …} when the body holds more than is shown.
     *
     * @param body the body bytes
     * @return the excerpt, redacted and cut but not escaped
     */
    public static String excerptText(byte[] body) {
        Objects.requireNonNull(body, "body");
        int windowLength = Math.min(body.length, REDACTION_WINDOW);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body, 0, windowLength);
        CharBuffer decoded = CharBuffer.allocate(windowLength);
        CoderResult result = decoder.decode(in, decoded, true);
        boolean cut = windowLength < body.length;
        if (result.isError()) {
            // invalid bytes in what is shown mean binary; later ones (or a character the window cuts) end the text
            if (in.position() < EXCERPT_BYTES) {
                return "<binary, " + body.length + " bytes>";
            }
            cut = true;
        }
        decoded.flip();
        String text = decoded.toString();
        if (cut) {
            text = text.substring(0, lastSeparatorEnd(text));
        }
        String redacted = Redactor.standard().redact(text);
        String shown = Texts.truncateUtf8(redacted, EXCERPT_BYTES);
        return cut || shown.length() < redacted.length() ? shown + "…" : shown;
    }

    /** The length of the longest prefix that does not end inside a run of characters a secret may consist of. */
    private static int lastSeparatorEnd(String text) {
        int end = text.length();
        while (end > 0 && !separator(text.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    private static boolean separator(char c) {
        return Character.isWhitespace(c) || c == '"' || c == '\'' || c == ',' || c == ';' || c == '<' || c == '>'
                || c == '{' || c == '}' || c == '[' || c == ']' || c == '(' || c == ')' || Character.isISOControl(c);
    }

    /**
     * Writes one JSON object per dead letter: ids, attributes and the body as base64 (exact bytes,
     * never interpreted); the fields are {@link ExportFormat}'s, read back by {@link ExportFileSource}.
     *
     * @param deadLetters the dead letters
     * @param out where to write
     */
    public static void exportJsonLines(List<DeadLetter> deadLetters, Writer out) {
        try {
            for (DeadLetter d : deadLetters) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put(ExportFormat.PROVIDER_MESSAGE_ID, d.providerMessageId());
                json.put(ExportFormat.ORIGINAL_MESSAGE_ID, d.originalMessageId());
                json.put(ExportFormat.ENQUEUED_AT, d.enqueuedAt().toString());
                json.put(ExportFormat.ATTRIBUTES, new java.util.TreeMap<>(d.attributes()));
                json.put(ExportFormat.BODY_BASE64, Base64.getEncoder().encodeToString(d.body()));
                Map<String, Object> typed = new java.util.TreeMap<>();
                d.typedAttributes().forEach((name, value) -> {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put(ExportFormat.DATA_TYPE, value.dataType());
                    byte[] bytes = value.binary();
                    if (bytes != null) {
                        v.put(ExportFormat.BINARY_BASE64, Base64.getEncoder().encodeToString(bytes));
                    } else {
                        v.put(ExportFormat.STRING_VALUE, value.text());
                    }
                    typed.put(name, v);
                });
                json.put(ExportFormat.TYPED_ATTRIBUTES, typed);
                if (d.groupId() != null) {
                    json.put(ExportFormat.GROUP_ID, d.groupId());
                }
                if (d.contentType() != null) {
                    json.put(ExportFormat.CONTENT_TYPE, d.contentType());
                }
                json.put(ExportFormat.SYSTEM_PROPERTIES, new java.util.TreeMap<>(d.systemProperties()));
                out.write(MAPPER.writeValueAsString(json));
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            throw new SluiceException("cannot write the export", e);
        }
    }
}
