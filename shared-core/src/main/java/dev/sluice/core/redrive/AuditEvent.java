package dev.sluice.core.redrive;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An audited step other than a redrive, e.g. a dead-letter archive plan written, approved or run. Redrives keep
 * their own {@link AuditRecord}; both go to the same {@link AuditLog}.
 *
 * @param operator who took the step
 * @param at when
 * @param action what happened, snake_case, e.g. {@code archive_planned}
 * @param source the dead-letter queue it concerns
 * @param details further fields of the record, in order; their keys must not repeat the four above
 */
public record AuditEvent(String operator, java.time.Instant at, String action, String source, Map<String, Object> details) {
    /** The keys every event record starts with. */
    public static final java.util.Set<String> FIXED_KEYS = java.util.Set.of("operator", "at", "action", "source");

    /** Validates and copies, keeping the details' order. */
    public AuditEvent {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(source, "source");
        details = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(details, "details")));
        for (String key : details.keySet()) {
            if (FIXED_KEYS.contains(key)) {
                throw new IllegalArgumentException("detail key '" + key + "' would repeat a fixed field");
            }
        }
    }
}
