package dev.sluice.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.sluice.core.security.TerminalText;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON output for {@code --output json}. Every string value and every key goes through
 * {@link TerminalText#escape}, as in the text output: the document stays valid JSON, and its values read as the
 * text output shows them (an ESC in an error type is the six characters backslash-u-0-0-1-b). Keys are snake_case
 * everywhere: the naming strategy here turns record components such as {@code errorType} into {@code error_type}.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            // one key style in every -o json document: records' camelCase components become snake_case keys, like
            // the keys the commands write into maps (map keys are data, e.g. failure kinds, and stay as they are)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .registerModule(new SimpleModule("terminal-text")
                    .addSerializer(String.class, new StdSerializer<>(String.class) {
                        @Override
                        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                            gen.writeString(TerminalText.escape(value));
                        }
                    })
                    .addKeySerializer(String.class, new StdSerializer<>(String.class) {
                        @Override
                        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                            gen.writeFieldName(TerminalText.escape(value));
                        }
                    }));

    private Json() {}

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
