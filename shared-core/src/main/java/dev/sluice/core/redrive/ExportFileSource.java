package dev.sluice.core.redrive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.core.SluiceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An export file ({@link ExportFormat}, as {@link DeadLetterInspection#exportJsonLines} writes it) as a redrive
 * source, to restore its dead letters into a queue. The whole file is read and checked when it is opened, so a
 * malformed line fails ({@link MalformedExportException}, naming the line) before anything moves. The file is never
 * modified: receiving hands out the dead letters in file order, releasing hands them back, and removing one (after its
 * copy was sent) is recorded in memory only. Blank lines are skipped, and so is a line repeating an earlier line's
 * provider message id (the same dead letter, read twice by the browse that exported it).
 */
public final class ExportFileSource implements DeadLetterSource {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** A line of an export file that is not a dead letter in the export format. */
    public static final class MalformedExportException extends SluiceException {
        private static final long serialVersionUID = 1L;
        private final int line;

        MalformedExportException(Path file, int line, String problem) {
            super(file + ": line " + line + ": " + problem);
            this.line = line;
        }

        /** @return the 1-based line number */
        public int line() {
            return line;
        }
    }

    private final Path file;
    private final String sha256;
    private final List<DeadLetter> deadLetters;
    private final int skippedDuplicates;
    // index in deadLetters -> dead letter, for those neither handed out nor removed
    private final TreeMap<Integer, DeadLetter> available = new TreeMap<>();
    private final Map<String, Integer> handedOut = new LinkedHashMap<>();
    private final Set<String> removed = new java.util.LinkedHashSet<>();

    private ExportFileSource(Path file, String sha256, List<DeadLetter> deadLetters, int skippedDuplicates) {
        this.file = file;
        this.sha256 = sha256;
        this.deadLetters = List.copyOf(deadLetters);
        this.skippedDuplicates = skippedDuplicates;
        for (int i = 0; i < deadLetters.size(); i++) {
            available.put(i, deadLetters.get(i));
        }
    }

    /**
     * Reads and checks the whole file.
     *
     * @param file an export file
     * @return the source, holding every dead letter of the file
     * @throws MalformedExportException when a line is not a dead letter in the export format (nothing is read then)
     * @throws SluiceException when the file cannot be read
     */
    public static ExportFileSource open(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] bytes;
        try {
            bytes = java.nio.file.Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SluiceException("cannot read the export file " + file + ": " + e.getMessage(), e);
        }
        List<DeadLetter> letters = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int duplicates = 0;
        int lineNumber = 0;
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNumber++;
            String line = decode(file, lineNumber, bytes, start, end);
            start = end + 1;
            if (line.isBlank()) {
                continue;
            }
            DeadLetter letter = parse(file, lineNumber, line);
            if (ids.add(letter.providerMessageId())) {
                letters.add(letter);
            } else {
                duplicates++;
            }
        }
        return new ExportFileSource(file, sha256(bytes), letters, duplicates);
    }

    private static String decode(Path file, int lineNumber, byte[] bytes, int start, int end) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedExportException(file, lineNumber, "not UTF-8 text");
        }
    }

    private static DeadLetter parse(Path file, int lineNumber, String line) {
        JsonNode json;
        try {
            json = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            // the parser's own message may quote the line, which holds customer data: only the column is named
            long column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw new MalformedExportException(file, lineNumber,
                    "not valid JSON" + (column > 0 ? " (at column " + column + ")" : ""));
        }
        if (json == null || !json.isObject()) {
            throw new MalformedExportException(file, lineNumber, "not a JSON object");
        }
        String providerId = text(file, lineNumber, json, ExportFormat.PROVIDER_MESSAGE_ID);
        if (providerId.isBlank()) {
            throw new MalformedExportException(file, lineNumber, ExportFormat.PROVIDER_MESSAGE_ID + " is blank");
        }
        String originalId = text(file, lineNumber, json, ExportFormat.ORIGINAL_MESSAGE_ID);
        Instant enqueuedAt;
        try {
            enqueuedAt = Instant.parse(text(file, lineNumber, json, ExportFormat.ENQUEUED_AT));
        } catch (DateTimeParseException e) {
            throw new MalformedExportException(file, lineNumber, ExportFormat.ENQUEUED_AT + " is not an ISO-8601 instant");
        }
        JsonNode attributesJson = json.get(ExportFormat.ATTRIBUTES);
        if (attributesJson == null || !attributesJson.isObject()) {
            throw new MalformedExportException(file, lineNumber, ExportFormat.ATTRIBUTES + " is missing or not an object");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : attributesJson.properties()) {
            if (!e.getValue().isTextual()) {
                throw new MalformedExportException(file, lineNumber, ExportFormat.ATTRIBUTES + " holds a value that is not a string");
            }
            attributes.put(e.getKey(), e.getValue().textValue());
        }
        byte[] body;
        try {
            body = Base64.getDecoder().decode(text(file, lineNumber, json, ExportFormat.BODY_BASE64));
        } catch (IllegalArgumentException e) {
            throw new MalformedExportException(file, lineNumber, ExportFormat.BODY_BASE64 + " is not base64");
        }
        // the stable id is what idempotency recognises: it must survive the round trip exactly
        String stableId = attributes.get(SluiceAttributes.ORIGINAL_MESSAGE_ID);
        if (stableId != null && !stableId.isBlank()) {
            if (!stableId.equals(originalId)) {
                throw new MalformedExportException(file, lineNumber, ExportFormat.ORIGINAL_MESSAGE_ID + " differs from the "
                        + SluiceAttributes.ORIGINAL_MESSAGE_ID + " attribute");
            }
        } else if (!originalId.isBlank() && !originalId.equals(providerId)) {
            attributes.put(SluiceAttributes.ORIGINAL_MESSAGE_ID, originalId);
        }
        return new DeadLetter("line-" + lineNumber, providerId, body, attributes, enqueuedAt, typed(file, lineNumber, json),
                optionalText(file, lineNumber, json, ExportFormat.GROUP_ID),
                optionalText(file, lineNumber, json, ExportFormat.CONTENT_TYPE),
                strings(file, lineNumber, json, ExportFormat.SYSTEM_PROPERTIES));
    }

    private static Map<String, AttributeValue> typed(Path file, int lineNumber, JsonNode json) {
        JsonNode typedJson = json.get(ExportFormat.TYPED_ATTRIBUTES);
        Map<String, AttributeValue> typed = new LinkedHashMap<>();
        if (typedJson == null) {
            return typed;
        }
        if (!typedJson.isObject()) {
            throw new MalformedExportException(file, lineNumber, ExportFormat.TYPED_ATTRIBUTES + " is not an object");
        }
        for (Map.Entry<String, JsonNode> e : typedJson.properties()) {
            JsonNode v = e.getValue();
            JsonNode type = v.get(ExportFormat.DATA_TYPE);
            JsonNode text = v.get(ExportFormat.STRING_VALUE);
            JsonNode binary = v.get(ExportFormat.BINARY_BASE64);
            try {
                if (type == null || !type.isTextual()) {
                    throw new IllegalArgumentException("no " + ExportFormat.DATA_TYPE);
                }
                typed.put(e.getKey(), binary != null && binary.isTextual()
                        ? AttributeValue.binary(type.textValue(), Base64.getDecoder().decode(binary.textValue()))
                        : AttributeValue.text(type.textValue(), text == null || !text.isTextual() ? null : text.textValue()));
            } catch (IllegalArgumentException problem) {
                // the problem names types and fields, never the value
                throw new MalformedExportException(file, lineNumber, ExportFormat.TYPED_ATTRIBUTES + " holds an attribute "
                        + "that is not a typed value (" + ExportFormat.DATA_TYPE + " with " + ExportFormat.STRING_VALUE + " or "
                        + ExportFormat.BINARY_BASE64 + ")");
            }
        }
        return typed;
    }

    private static @Nullable String optionalText(Path file, int lineNumber, JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedExportException(file, lineNumber, field + " is not a string");
        }
        return value.textValue();
    }

    private static Map<String, String> strings(Path file, int lineNumber, JsonNode json, String field) {
        JsonNode object = json.get(field);
        Map<String, String> strings = new LinkedHashMap<>();
        if (object == null || object.isNull()) {
            return strings;
        }
        if (!object.isObject()) {
            throw new MalformedExportException(file, lineNumber, field + " is not an object");
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (!e.getValue().isTextual()) {
                throw new MalformedExportException(file, lineNumber, field + " holds a value that is not a string");
            }
            strings.put(e.getKey(), e.getValue().textValue());
        }
        return strings;
    }

    private static String text(Path file, int lineNumber, JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual()) {
            throw new MalformedExportException(file, lineNumber, field + " is missing or not a string");
        }
        return value.textValue();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** @return {@code file:<absolute path> sha256:<hex>}, so the audit record names exactly what was restored */
    @Override
    public String name() {
        return "file:" + file.toAbsolutePath() + " sha256:" + sha256;
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return the SHA-256 of the file's bytes, lower-case hex */
    public String sha256() {
        return sha256;
    }

    /** @return every dead letter of the file, in file order (duplicates skipped) */
    public List<DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** @return lines skipped because they repeat an earlier line's provider message id */
    public int skippedDuplicates() {
        return skippedDuplicates;
    }

    /** @return provider message ids of the dead letters removed (restored), in the order they were */
    public Set<String> removed() {
        return java.util.Collections.unmodifiableSet(removed);
    }

    @Override
    public synchronized List<DeadLetter> receive(int max) {
        List<DeadLetter> batch = new ArrayList<>();
        while (batch.size() < max && !available.isEmpty()) {
            Map.Entry<Integer, DeadLetter> next = available.pollFirstEntry();
            handedOut.put(next.getValue().handle(), next.getKey());
            batch.add(next.getValue());
        }
        return batch;
    }

    /** Records the dead letter as restored; the file is not modified. */
    @Override
    public synchronized void remove(DeadLetter deadLetter) {
        Integer index = handedOut.remove(deadLetter.handle());
        if (index == null) {
            throw new IllegalStateException("not received from this file: " + deadLetter);
        }
        removed.add(deadLetter.providerMessageId());
    }

    @Override
    public synchronized void release(DeadLetter deadLetter) {
        Integer index = handedOut.remove(deadLetter.handle());
        if (index != null) {
            available.put(index, deadLetters.get(index));
        }
    }
}
