package dev.sluice.core.security;

import dev.sluice.core.config.ConfigurationException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * HMAC keys by id, for signing and verification with rotation: the first key signs, every key
 * verifies. Parsed from {@code SLUICE_SIGNING_KEYS} as {@code id1:base64secret,id2:base64secret}.
 * {@link #toString()} never shows a secret.
 */
public final class SigningKeys {
    /** The shortest secret accepted, in bytes (HMAC-SHA256's block-size guidance asks for at least 32). */
    public static final int MIN_SECRET_BYTES = 32;

    private final String activeKeyId;
    private final Map<String, byte[]> secrets;

    private SigningKeys(String activeKeyId, Map<String, byte[]> secrets) {
        this.activeKeyId = activeKeyId;
        this.secrets = secrets;
    }

    /**
     * @param activeKeyId the id of the key that signs
     * @param secrets every key by id (copied); must contain {@code activeKeyId}
     * @return the keys
     */
    public static SigningKeys of(String activeKeyId, Map<String, byte[]> secrets) {
        Objects.requireNonNull(activeKeyId, "activeKeyId");
        Map<String, byte[]> copy = new LinkedHashMap<>();
        secrets.forEach((id, secret) -> {
            if (id == null || id.isBlank() || id.contains(",") || id.contains(":")) {
                throw new IllegalArgumentException("key id must be non-blank without ',' or ':', got '" + id + "'");
            }
            if (secret == null || secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("key '" + id + "' must be at least " + MIN_SECRET_BYTES + " bytes");
            }
            copy.put(id, Arrays.copyOf(secret, secret.length));
        });
        if (!copy.containsKey(activeKeyId)) {
            throw new IllegalArgumentException("activeKeyId '" + activeKeyId + "' is not among the keys " + copy.keySet());
        }
        return new SigningKeys(activeKeyId, Map.copyOf(copy));
    }

    /**
     * @param spec {@code id1:base64secret,id2:base64secret}; the first key signs
     * @param setting the variable name to name in errors
     * @return the keys
     * @throws ConfigurationException naming {@code setting} when the spec is malformed
     */
    public static SigningKeys parse(String spec, String setting) {
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        String first = null;
        for (String entry : spec.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                throw new ConfigurationException(setting, "expected 'keyId:base64Secret[,keyId:base64Secret...]'");
            }
            String id = trimmed.substring(0, colon);
            try {
                secrets.put(id, Base64.getDecoder().decode(trimmed.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(setting, "the secret of key '" + id + "' is not valid base64");
            }
            if (first == null) {
                first = id;
            }
        }
        if (first == null) {
            throw new ConfigurationException(setting, "no key given");
        }
        try {
            return of(first, secrets);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(setting, e.getMessage());
        }
    }

    /** @return the id of the key that signs */
    public String activeKeyId() {
        return activeKeyId;
    }

    /** @return every key id */
    public Set<String> keyIds() {
        return secrets.keySet();
    }

    Optional<byte[]> secret(String keyId) {
        return Optional.ofNullable(secrets.get(keyId));
    }

    @Override
    public String toString() {
        return "SigningKeys[active=" + activeKeyId + ", ids=" + secrets.keySet() + "]";
    }
}
