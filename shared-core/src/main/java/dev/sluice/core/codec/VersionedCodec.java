package dev.sluice.core.codec;

import dev.sluice.core.redrive.SluiceAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Picks a decoder by the {@code message-type} and {@code schema-version} attributes and upcasts older
 * versions to the current body type. An unknown type or version is a decode failure (poison).
 *
 * <pre>{@code
 * VersionedCodec<Order> codec = VersionedCodec.<Order>builder("order-created")
 *     .version(1, JsonCodec.of(OrderV1.class), OrderV1::toOrder)
 *     .current(2, JsonCodec.of(Order.class))
 *     .build();
 * }</pre>
 *
 * @param <T> the current body type
 */
public final class VersionedCodec<T> implements MessageCodec<T> {
    private record Version<T>(MessageCodec<?> codec, Function<Object, T> upcast) {}

    private final String messageType;
    private final Map<Integer, Version<T>> versions;
    private final int current;
    private final MessageCodec<T> currentCodec;
    private final boolean unversionedIsCurrent;

    private VersionedCodec(Builder<T> b) {
        this.messageType = b.messageType;
        this.versions = Map.copyOf(b.versions);
        this.current = b.current;
        this.currentCodec = Objects.requireNonNull(b.currentCodec);
        this.unversionedIsCurrent = b.unversionedIsCurrent;
    }

    /**
     * @param messageType the {@code message-type} attribute value this codec accepts
     * @param <T> the current body type
     * @return a new builder
     */
    public static <T> Builder<T> builder(String messageType) {
        return new Builder<>(messageType);
    }

    @Override
    public T decode(byte[] payload, Map<String, String> attributes) {
        String type = attributes.get(SluiceAttributes.MESSAGE_TYPE);
        if (type != null && !type.equals(messageType)) {
            throw new DecodingException("unknown message-type '" + type + "', expected '" + messageType + "'");
        }
        String versionText = attributes.get(SluiceAttributes.SCHEMA_VERSION);
        int version;
        if (versionText == null) {
            if (!unversionedIsCurrent) {
                throw new DecodingException("schema-version attribute is missing");
            }
            version = current;
        } else {
            try {
                version = Integer.parseInt(versionText.trim());
            } catch (NumberFormatException e) {
                throw new DecodingException("schema-version '" + versionText + "' is not a number");
            }
        }
        Version<T> v = versions.get(version);
        if (v == null) {
            throw new DecodingException("unknown schema-version " + version + " of '" + messageType + "'");
        }
        Object decoded = v.codec().decode(payload, attributes);
        try {
            return Objects.requireNonNull(v.upcast().apply(decoded), "upcast returned null");
        } catch (RuntimeException e) {
            throw new DecodingException("upcast of '" + messageType + "' v" + version + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] encode(T body) {
        return currentCodec.encode(body);
    }

    /** @return the attributes a producer sets on messages of the current version */
    public Map<String, String> currentAttributes() {
        return Map.of(SluiceAttributes.MESSAGE_TYPE, messageType, SluiceAttributes.SCHEMA_VERSION, Integer.toString(current));
    }

    /**
     * Builds a {@link VersionedCodec}.
     *
     * @param <T> the current body type
     */
    public static final class Builder<T> {
        private final String messageType;
        private final Map<Integer, Version<T>> versions = new LinkedHashMap<>();
        private int current;
        private @Nullable MessageCodec<T> currentCodec;
        private boolean unversionedIsCurrent;

        private Builder(String messageType) {
            this.messageType = Objects.requireNonNull(messageType, "messageType");
        }

        /**
         * @param version an older schema version
         * @param codec its decoder
         * @param upcast turns the old body into the current type
         * @param <O> the old body type
         * @return this
         */
        @SuppressWarnings("unchecked")
        public <O> Builder<T> version(int version, MessageCodec<O> codec, Function<? super O, ? extends T> upcast) {
            Objects.requireNonNull(codec, "codec");
            Objects.requireNonNull(upcast, "upcast");
            versions.put(version, new Version<>(codec, o -> upcast.apply((O) o)));
            return this;
        }

        /**
         * @param version the current schema version
         * @param codec its codec
         * @return this
         */
        public Builder<T> current(int version, MessageCodec<T> codec) {
            this.current = version;
            this.currentCodec = Objects.requireNonNull(codec, "codec");
            versions.put(version, new Version<>(codec, o -> castCurrent(o)));
            return this;
        }

        /**
         * @param enabled treat messages without a {@code schema-version} as the current version
         *     (default false: they are poison)
         * @return this
         */
        public Builder<T> unversionedIsCurrent(boolean enabled) {
            this.unversionedIsCurrent = enabled;
            return this;
        }

        @SuppressWarnings("unchecked")
        private static <T> T castCurrent(Object o) {
            return (T) o;
        }

        /** @return the codec @throws IllegalStateException when no current version was given */
        public VersionedCodec<T> build() {
            if (currentCodec == null) {
                throw new IllegalStateException("current: a current version is required");
            }
            return new VersionedCodec<>(this);
        }
    }
}
