package dev.sluice.core.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.core.SluiceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A plan to archive exactly the dead letters it names, and the signatures on it. The file is one JSON object:
 * <pre>
 * format          "sluice-archive-plan/1"
 * queue           the dead-letter queue's name, as its source names it
 * filter          the filter that selected the dead letters (RedriveFilter#toJson)
 * messages        [{provider_message_id, original_message_id, failure_kind}, ...], in the order they were found
 * counts_by_kind  {kind: count} over messages
 * created_at      ISO-8601 instant
 * expires_at      ISO-8601 instant, at most {@value #MAX_VALIDITY_DAYS} days after created_at
 * requester       {operator, key_fingerprint, public_key}
 * signatures      [{role, operator, key_fingerprint, public_key, signature}, ...]
 * </pre>
 * The <em>body</em> is the object without {@code signatures}; every signature is an Ed25519 signature (base64) over
 * the body's {@linkplain CanonicalJson canonical bytes}: sorted keys, no whitespace, UTF-8. {@code key_fingerprint} is
 * the SHA-256 (hex) of the X.509-encoded public key, {@code public_key} that encoding (base64); the key named in a
 * signature proves nothing by itself: the run trusts only keys the operator gave it. {@code role} is
 * {@code requester} or {@code approver}. No other fields are allowed, so every field a run acts on is signed.
 */
public record ArchivePlan(String queue, Map<String, Object> filter, List<PlannedMessage> messages,
                          Map<String, Integer> countsByKind, Instant createdAt, Instant expiresAt, Signer requester,
                          List<PlanSignature> signatures) {
    /** The value of {@code format}. */
    public static final String FORMAT = "sluice-archive-plan/1";
    /** The longest a plan may stay valid, in days. */
    public static final int MAX_VALIDITY_DAYS = 7;
    /** The role of the operator who made the plan. */
    public static final String REQUESTER = "requester";
    /** The role of the second operator. */
    public static final String APPROVER = "approver";

    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper WRITER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A planned dead letter.
     *
     * @param providerMessageId the provider's id, which the run looks for
     * @param originalMessageId its stable id
     * @param failureKind its failure kind, {@code UNKNOWN} without a Sluice envelope
     */
    public record PlannedMessage(String providerMessageId, String originalMessageId, String failureKind) {
        /** Validates. */
        public PlannedMessage {
            Objects.requireNonNull(providerMessageId, "providerMessageId");
            Objects.requireNonNull(originalMessageId, "originalMessageId");
            Objects.requireNonNull(failureKind, "failureKind");
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("provider_message_id", providerMessageId);
            json.put("original_message_id", originalMessageId);
            json.put("failure_kind", failureKind);
            return json;
        }
    }

    /**
     * Who signed, as the plan names them.
     *
     * @param operator the operator's name
     * @param keyFingerprint the key's fingerprint
     * @param publicKey the X.509-encoded public key, base64
     */
    public record Signer(String operator, String keyFingerprint, String publicKey) {
        /** Validates. */
        public Signer {
            Objects.requireNonNull(operator, "operator");
            Objects.requireNonNull(keyFingerprint, "keyFingerprint");
            Objects.requireNonNull(publicKey, "publicKey");
        }

        static Signer of(OperatorKey key) {
            return new Signer(key.operator(), key.fingerprint(), Base64.getEncoder().encodeToString(key.publicKey().getEncoded()));
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("operator", operator);
            json.put("key_fingerprint", keyFingerprint);
            json.put("public_key", publicKey);
            return json;
        }
    }

    /**
     * A signature on the plan's body.
     *
     * @param role {@value #REQUESTER} or {@value #APPROVER}
     * @param signer who signed
     * @param signature the Ed25519 signature over the body's canonical bytes, base64
     */
    public record PlanSignature(String role, Signer signer, String signature) {
        /** Validates. */
        public PlanSignature {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(signer, "signer");
            Objects.requireNonNull(signature, "signature");
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("role", role);
            json.putAll(signer.json());
            json.put("signature", signature);
            return json;
        }
    }

    /** Validates and copies, keeping every order. */
    public ArchivePlan {
        Objects.requireNonNull(queue, "queue");
        filter = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(filter, "filter")));
        messages = List.copyOf(messages);
        countsByKind = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(countsByKind, "countsByKind")));
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(requester, "requester");
        signatures = List.copyOf(signatures);
    }

    /**
     * A new plan, signed by its requester.
     *
     * @param queue the dead-letter queue's name
     * @param filter the filter's criteria, {@code RedriveFilter#toJson()}
     * @param messages the selected dead letters
     * @param createdAt now
     * @param validity how long it stays valid: more than zero, at most {@value #MAX_VALIDITY_DAYS} days
     * @param requester the requester's key
     * @return the plan with the requester's signature
     */
    public static ArchivePlan request(String queue, Map<String, Object> filter, List<PlannedMessage> messages, Instant createdAt,
                                      Duration validity, SigningKey requester) {
        if (validity.isNegative() || validity.isZero() || validity.compareTo(Duration.ofDays(MAX_VALIDITY_DAYS)) > 0) {
            throw new IllegalArgumentException("a plan is valid for more than zero and at most " + MAX_VALIDITY_DAYS + " days");
        }
        // whole seconds, so the instants read back as written
        Instant created = createdAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        ArchivePlan unsigned = new ArchivePlan(queue, filter, messages, countByKind(messages), created, created.plus(validity),
                Signer.of(requester.identity()), List.of());
        return unsigned.signedBy(requester, REQUESTER);
    }

    /** @param messages dead letters @return how many of each kind, most frequent first, then by name */
    public static Map<String, Integer> countByKind(List<PlannedMessage> messages) {
        Map<String, Integer> counts = new TreeMap<>();
        messages.forEach(m -> counts.merge(m.failureKind(), 1, Integer::sum));
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /**
     * @param key the signer's key
     * @param role {@value #REQUESTER} or {@value #APPROVER}
     * @return this plan with that signature added over the body's canonical bytes
     */
    public ArchivePlan signedBy(SigningKey key, String role) {
        List<PlanSignature> more = new ArrayList<>(signatures);
        more.add(new PlanSignature(role, Signer.of(key.identity()), Base64.getEncoder().encodeToString(key.sign(canonicalBytes()))));
        return new ArchivePlan(queue, filter, messages, countsByKind, createdAt, expiresAt, requester, more);
    }

    /** @return the plan without {@code signatures}, the object every signature covers */
    public Map<String, Object> body() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", FORMAT);
        json.put("queue", queue);
        json.put("filter", filter);
        json.put("messages", messages.stream().map(PlannedMessage::json).toList());
        json.put("counts_by_kind", new LinkedHashMap<>(countsByKind));
        json.put("created_at", createdAt.toString());
        json.put("expires_at", expiresAt.toString());
        json.put("requester", requester.json());
        return json;
    }

    /** @return the body's canonical bytes ({@link CanonicalJson}), which every signature covers */
    public byte[] canonicalBytes() {
        return CanonicalJson.bytes(body());
    }

    /** @return the SHA-256 (hex) of the canonical bytes: names this plan in the audit log, whatever its signatures */
    public String planId() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonicalBytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** @return the signature of the given role, if the plan has exactly one */
    public @Nullable PlanSignature signature(String role) {
        List<PlanSignature> of = signatures.stream().filter(s -> s.role().equals(role)).toList();
        return of.size() == 1 ? of.get(0) : null;
    }

    /** @return the plan file's text: the body's fields and the signatures, indented, ending with a line feed */
    public String toJson() {
        Map<String, Object> json = body();
        json.put("signatures", signatures.stream().map(PlanSignature::json).toList());
        try {
            return WRITER.writeValueAsString(json) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a new plan file, mode 0600 from the start.
     *
     * @param file the file, which must not exist
     * @throws IOException when it exists ({@link java.nio.file.FileAlreadyExistsException}) or cannot be written
     */
    public void writeNew(Path file) throws IOException {
        OperatorKeys.createOwnerOnly(file);
        Files.writeString(file, toJson(), StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * Replaces a plan file at once: writes a new file (mode 0600) beside it and moves it over the old one.
     *
     * @param file the file
     * @throws IOException when it cannot be written
     */
    public void replace(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + file.getFileName() + "." + System.nanoTime() + ".tmp");
        try {
            writeNew(temp);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * @param file a plan file
     * @return the plan
     * @throws ArchiveRefusedException with {@link ArchiveRefusedException.Reason#MALFORMED_PLAN} when it is not one
     * @throws SluiceException when it cannot be read
     */
    public static ArchivePlan read(Path file) {
        try {
            return parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new SluiceException("cannot read the plan " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param json a plan file's bytes
     * @return the plan
     * @throws ArchiveRefusedException with {@link ArchiveRefusedException.Reason#MALFORMED_PLAN} when they are not one
     */
    public static ArchivePlan parse(byte[] json) {
        JsonNode root;
        try {
            root = READER.readTree(json);
        } catch (IOException e) {
            throw malformed("not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw malformed("not a JSON object");
        }
        fields(root, "plan", Set.of("format", "queue", "filter", "messages", "counts_by_kind", "created_at", "expires_at",
                "requester", "signatures"));
        if (!FORMAT.equals(text(root, "format"))) {
            throw malformed("format is not " + FORMAT);
        }
        JsonNode filterNode = root.get("filter");
        if (!filterNode.isObject()) {
            throw malformed("filter is not an object");
        }
        Map<String, Object> filter = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : filterNode.properties()) {
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                filter.put(e.getKey(), v.textValue());
            } else if (v.isArray()) {
                List<String> values = new ArrayList<>();
                for (JsonNode item : v) {
                    if (!item.isTextual()) {
                        throw malformed("filter." + e.getKey() + " holds a value that is not a string");
                    }
                    values.add(item.textValue());
                }
                filter.put(e.getKey(), values);
            } else {
                throw malformed("filter." + e.getKey() + " is not a string or a list of strings");
            }
        }
        JsonNode messagesNode = root.get("messages");
        if (!messagesNode.isArray()) {
            throw malformed("messages is not a list");
        }
        List<PlannedMessage> messages = new ArrayList<>();
        for (JsonNode m : messagesNode) {
            if (!m.isObject()) {
                throw malformed("messages holds an entry that is not an object");
            }
            fields(m, "a message", Set.of("provider_message_id", "original_message_id", "failure_kind"));
            messages.add(new PlannedMessage(text(m, "provider_message_id"), text(m, "original_message_id"), text(m, "failure_kind")));
        }
        JsonNode countsNode = root.get("counts_by_kind");
        if (!countsNode.isObject()) {
            throw malformed("counts_by_kind is not an object");
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : countsNode.properties()) {
            if (!e.getValue().isInt()) {
                throw malformed("counts_by_kind." + e.getKey() + " is not a whole number");
            }
            counts.put(e.getKey(), e.getValue().intValue());
        }
        JsonNode signaturesNode = root.get("signatures");
        if (!signaturesNode.isArray()) {
            throw malformed("signatures is not a list");
        }
        List<PlanSignature> signatures = new ArrayList<>();
        for (JsonNode s : signaturesNode) {
            if (!s.isObject()) {
                throw malformed("signatures holds an entry that is not an object");
            }
            fields(s, "a signature", Set.of("role", "operator", "key_fingerprint", "public_key", "signature"));
            signatures.add(new PlanSignature(text(s, "role"), signer(s), text(s, "signature")));
        }
        JsonNode requesterNode = root.get("requester");
        if (!requesterNode.isObject()) {
            throw malformed("requester is not an object");
        }
        fields(requesterNode, "requester", Set.of("operator", "key_fingerprint", "public_key"));
        return new ArchivePlan(text(root, "queue"), filter, messages, counts, instant(root, "created_at"),
                instant(root, "expires_at"), signer(requesterNode), signatures);
    }

    private static Signer signer(JsonNode node) {
        return new Signer(text(node, "operator"), text(node, "key_fingerprint"), text(node, "public_key"));
    }

    private static void fields(JsonNode node, String what, Set<String> expected) {
        Set<String> present = new java.util.TreeSet<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            present.add(names.next());
        }
        if (!present.equals(new java.util.TreeSet<>(expected))) {
            Set<String> missing = new java.util.TreeSet<>(expected);
            missing.removeAll(present);
            Set<String> extra = new java.util.TreeSet<>(present);
            extra.removeAll(expected);
            throw malformed(what + (missing.isEmpty() ? "" : " lacks " + missing) + (extra.isEmpty() ? "" : " has unknown fields "
                    + extra));
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw malformed(field + " is missing or not a string");
        }
        return v.textValue();
    }

    private static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        try {
            Instant at = Instant.parse(text);
            // one spelling per instant: the one the canonical bytes use
            if (!at.toString().equals(text)) {
                throw malformed(field + " is not written as " + at);
            }
            return at;
        } catch (DateTimeParseException e) {
            throw malformed(field + " is not an ISO-8601 instant");
        }
    }

    private static ArchiveRefusedException malformed(String problem) {
        return new ArchiveRefusedException(ArchiveRefusedException.Reason.MALFORMED_PLAN, "not an archive plan: " + problem);
    }
}
