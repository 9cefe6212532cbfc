package dev.sluice.core.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.core.SluiceException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * The default codec: JSON through Jackson. Unknown properties are ignored (producers may add fields);
 * invalid UTF-8, trailing tokens, {@code null} bodies, nesting deeper than 500 and missing primitive
 * values are decode failures, so the message is poison.
 *
 * @param <T> the body type
 */
public final class JsonCodec<T> implements MessageCodec<T> {
    /** Deeper nesting than this is rejected before it can exhaust a stack. */
    public static final int MAX_NESTING_DEPTH = 500;

    private static final ObjectMapper DEFAULT_MAPPER = defaultMapper();

    private final Class<T> type;
    private final ObjectReader reader;
    private final ObjectMapper mapper;

    private JsonCodec(Class<T> type, ObjectMapper mapper) {
        this.type = type;
        this.mapper = mapper;
        this.reader = mapper.readerFor(type);
    }

    /**
     * @param type the body type
     * @param <T> the body type
     * @return a codec with Sluice's default mapper
     */
    public static <T> JsonCodec<T> of(Class<T> type) {
        return new JsonCodec<>(Objects.requireNonNull(type, "type"), DEFAULT_MAPPER);
    }

    /**
     * @param type the body type
     * @param mapper a mapper configured by the user
     * @param <T> the body type
     * @return a codec with the given mapper
     */
    public static <T> JsonCodec<T> of(Class<T> type, ObjectMapper mapper) {
        return new JsonCodec<>(Objects.requireNonNull(type, "type"), Objects.requireNonNull(mapper, "mapper"));
    }

    /** @return a mapper with Sluice's defaults, for users who extend it */
    public static ObjectMapper defaultMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .findAndAddModules()
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .build());
        return mapper;
    }

    @Override
    public T decode(byte[] payload, Map<String, String> attributes) {
        try {
            T value = reader.readValue(payload);
            if (value == null) {
                throw new DecodingException("body is JSON null, expected " + type.getSimpleName());
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw new DecodingException("body exceeds a parser limit: " + e.getOriginalMessage(), e);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamConstraintsException limit) {
                // a limit hit inside a typed field arrives wrapped; report the limit, not a type mismatch
                throw new DecodingException("body exceeds a parser limit: " + limit.getOriginalMessage(), e);
            }
            // the path names fields; Jackson's own message may quote body values, which must not be logged
            throw new DecodingException("body does not match " + type.getSimpleName() + " at " + path(e)
                    + " (" + e.getClass().getSimpleName() + ")", e);
        } catch (JacksonException e) {
            throw new DecodingException("body is not valid JSON (" + e.getClass().getSimpleName() + location(e) + ")", e);
        } catch (IOException e) {
            throw new DecodingException("body could not be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder("$");
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String location(JacksonException e) {
        var location = e.getLocation();
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    @Override
    public byte[] encode(T body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new SluiceException("could not encode " + type.getSimpleName(), e);
        }
    }
}
