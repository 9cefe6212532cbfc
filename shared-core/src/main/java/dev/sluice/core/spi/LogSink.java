package dev.sluice.core.spi;

import java.util.Map;
import java.util.Objects;

/**
 * Where structured log events go. The pipeline redacts every event before it reaches a sink and never
 * puts a message body, connection string or key in one. Implementations must be thread-safe.
 */
public interface LogSink {
    /** Log levels. */
    enum Level { DEBUG, INFO, WARN, ERROR }

    /**
     * One structured event.
     *
     * @param level the level
     * @param message the human-readable text (redacted)
     * @param fields the fields, e.g. {@code queue_name}, {@code message_id} (values redacted)
     */
    record Event(Level level, String message, Map<String, Object> fields) {
        /** Validates and copies. */
        public Event {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(message, "message");
            fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        }
    }

    /** @param event the event to write */
    void emit(Event event);
}
