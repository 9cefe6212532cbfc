package dev.sluice.core.redrive;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One typed message attribute (SQS message attribute, Service Bus application property), kept exactly so a backup
 * and a redrive lose nothing. The data type is written in SQS's syntax on both clouds: a base type {@code String},
 * {@code Number} or {@code Binary}, optionally followed by a dot and a custom type ({@code Number.long},
 * {@code String.uuid}, {@code Binary.png}). Service Bus's typed properties map onto it (a {@code Long} property is
 * {@code Number.long}, a boolean {@code String.boolean}, a date {@code String.timestamp}), so an export from either
 * cloud restores into either.
 *
 * @param dataType the data type, e.g. {@code String}, {@code Number.int}, {@code Binary}
 * @param text the value of a {@code String} or {@code Number} attribute; null for {@code Binary}
 * @param binary the bytes of a {@code Binary} attribute; null otherwise
 */
public record AttributeValue(String dataType, @Nullable String text, byte @Nullable [] binary) {
    /** The base type of a string attribute. */
    public static final String STRING = "String";
    /** The base type of a number attribute (its text is the number). */
    public static final String NUMBER = "Number";
    /** The base type of a binary attribute. */
    public static final String BINARY = "Binary";

    /** Validates and copies: binary types carry bytes, the others text. */
    public AttributeValue {
        Objects.requireNonNull(dataType, "dataType");
        String base = baseType(dataType);
        if (!base.equals(STRING) && !base.equals(NUMBER) && !base.equals(BINARY)) {
            throw new IllegalArgumentException("data type must be String, Number or Binary, optionally with .<custom>, got '"
                    + dataType + "'");
        }
        if (base.equals(BINARY)) {
            if (binary == null || text != null) {
                throw new IllegalArgumentException("a " + dataType + " attribute carries bytes and no text");
            }
            binary = binary.clone();
        } else if (text == null || binary != null) {
            throw new IllegalArgumentException("a " + dataType + " attribute carries text and no bytes");
        }
    }

    /** @param value text @return a {@code String} attribute */
    public static AttributeValue string(String value) {
        return new AttributeValue(STRING, value, null);
    }

    /** @param dataType a String or Number type @param value its text @return the attribute */
    public static AttributeValue text(String dataType, String value) {
        return new AttributeValue(dataType, value, null);
    }

    /** @param dataType a Binary type @param value the bytes @return the attribute */
    public static AttributeValue binary(String dataType, byte[] value) {
        return new AttributeValue(dataType, null, value);
    }

    /** @param dataType a data type @return its base type, the part before the first dot */
    public static String baseType(String dataType) {
        int dot = dataType.indexOf('.');
        return dot < 0 ? dataType : dataType.substring(0, dot);
    }

    /** @return the part after the first dot, empty when there is none */
    public String customType() {
        int dot = dataType.indexOf('.');
        return dot < 0 ? "" : dataType.substring(dot + 1);
    }

    /** @return whether this is a {@code Binary} attribute */
    public boolean isBinary() {
        return binary != null;
    }

    /** @return a copy of the bytes of a binary attribute, else null */
    @Override
    public byte @Nullable [] binary() {
        return binary == null ? null : binary.clone();
    }

    /**
     * Types text attributes as their originals were: a name whose text is unchanged keeps its original's type, a new
     * or changed one is a {@code String}, and binary originals (which have no text) are kept.
     *
     * @param text text attributes, in the order wanted
     * @param originals the same message's typed attributes
     * @return typed attributes in the order of {@code text}, then the binary originals not in it
     */
    public static Map<String, AttributeValue> retype(Map<String, String> text, Map<String, AttributeValue> originals) {
        Map<String, AttributeValue> typed = new LinkedHashMap<>();
        text.forEach((name, value) -> {
            AttributeValue original = originals.get(name);
            typed.put(name, original != null && value.equals(original.text()) ? original : string(value));
        });
        originals.forEach((name, value) -> {
            if (value.isBinary()) {
                typed.putIfAbsent(name, value);
            }
        });
        return typed;
    }

    /** @param typed typed attributes @return the text of every non-binary one, in order */
    public static Map<String, String> textOf(Map<String, AttributeValue> typed) {
        Map<String, String> text = new LinkedHashMap<>();
        typed.forEach((name, value) -> {
            if (value.text() != null) {
                text.put(name, value.text());
            }
        });
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttributeValue other && dataType.equals(other.dataType) && Objects.equals(text, other.text)
                && Arrays.equals(binary, other.binary);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dataType, text, Arrays.hashCode(binary));
    }

    @Override
    public String toString() {
        // attribute values may hold customer data: types and sizes only
        return "AttributeValue[" + dataType + (binary != null ? ", " + binary.length + " bytes" : "") + "]";
    }
}
