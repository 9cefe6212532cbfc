package dev.sluice.core;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A structured logger bound to one message: every line carries {@code queue_name}, {@code message_id},
 * {@code correlation_id}, {@code operation} and {@code delivery_count}. Text and field values are
 * redacted before they are written.
 */
public interface MessageLogger {
    /**
     * @param message a human-readable line
     * @param fields extra fields (values are redacted)
     */
    void info(String message, Map<String, ?> fields);

    /**
     * @param message a human-readable line
     * @param fields extra fields (values are redacted)
     * @param error an optional error: its type, redacted message and fingerprint are logged, never a
     *     raw stack trace
     */
    void warn(String message, Map<String, ?> fields, @Nullable Throwable error);

    /**
     * @param message a human-readable line
     * @param fields extra fields (values are redacted)
     * @param error an optional error: its type, redacted message and fingerprint are logged
     */
    void error(String message, Map<String, ?> fields, @Nullable Throwable error);

    /** @param message a human-readable line */
    default void info(String message) {
        info(message, Map.of());
    }
}
