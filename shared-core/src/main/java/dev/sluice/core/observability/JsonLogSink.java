package dev.sluice.core.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.spi.LogSink;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each event as one JSON object through SLF4J (logger {@code dev.sluice}), the shape
 * CloudWatch Logs Insights and Application Insights query directly.
 */
public final class JsonLogSink implements LogSink {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Logger logger;

    /** A sink on the {@code dev.sluice} logger. */
    public JsonLogSink() {
        this(LoggerFactory.getLogger("dev.sluice"));
    }

    /** @param logger the SLF4J logger to write to */
    public JsonLogSink(Logger logger) {
        this.logger = logger;
    }

    @Override
    public void emit(Event event) {
        if (!enabled(event.level())) {
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("level", event.level().name());
        json.put("message", event.message());
        json.putAll(event.fields());
        String line;
        try {
            line = MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            line = "{\"level\":\"" + event.level() + "\",\"message\":\"unserialisable log event\"}";
        }
        switch (event.level()) {
            case DEBUG -> logger.debug(line);
            case INFO -> logger.info(line);
            case WARN -> logger.warn(line);
            case ERROR -> logger.error(line);
        }
    }

    private boolean enabled(Level level) {
        return switch (level) {
            case DEBUG -> logger.isDebugEnabled();
            case INFO -> logger.isInfoEnabled();
            case WARN -> logger.isWarnEnabled();
            case ERROR -> logger.isErrorEnabled();
        };
    }
}
