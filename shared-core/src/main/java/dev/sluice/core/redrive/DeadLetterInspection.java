package dev.sluice.core.redrive;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.SluiceException;
import dev.sluice.core.security.Redactor;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
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

    private static final ObjectMapper MAPPER = new ObjectMapper();

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
     * text with control characters escaped; anything else as a hex note. Never parsed.
     *
     * @param body the body bytes
     * @return the excerpt
     */
    public static String excerpt(byte[] body) {
        Objects.requireNonNull(body, "body");
        int length = Math.min(body.length, EXCERPT_BYTES);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, 0, length)).toString();
        } catch (CharacterCodingException e) {
            // a cut in the middle of a character is fine; other invalid bytes mean binary
            if (length < body.length && length > 4) {
                return excerpt(java.util.Arrays.copyOf(body, length - 4)) + "…";
            }
            return "<binary, " + body.length + " bytes>";
        }
        StringBuilder printable = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == '\n') {
                printable.append("\\n");
            } else if (cp == '\t') {
                printable.append("\\t");
            } else if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                printable.append(String.format("\\u%04x", cp));
            } else {
                printable.appendCodePoint(cp);
            }
        });
        String redacted = Redactor.standard().redact(printable.toString());
        return length < body.length ? redacted + "…" : redacted;
    }

    /**
     * Writes one JSON object per dead letter: ids, attributes and the body as base64 (exact bytes,
     * never interpreted).
     *
     * @param deadLetters the dead letters
     * @param out where to write
     */
    public static void exportJsonLines(List<DeadLetter> deadLetters, Writer out) {
        try {
            for (DeadLetter d : deadLetters) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("provider_message_id", d.providerMessageId());
                json.put("original_message_id", d.originalMessageId());
                json.put("enqueued_at", d.enqueuedAt().toString());
                json.put("attributes", new java.util.TreeMap<>(d.attributes()));
                json.put("body_base64", Base64.getEncoder().encodeToString(d.body()));
                out.write(MAPPER.writeValueAsString(json));
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            throw new SluiceException("cannot write the export", e);
        }
    }
}
