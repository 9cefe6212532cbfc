package dev.sluice.core.observability;

import dev.sluice.core.internal.ErrorFingerprint;
import dev.sluice.core.security.Redactor;
import dev.sluice.core.security.Texts;
import dev.sluice.core.spi.LogSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds redacted events for a {@link LogSink}. Errors contribute their type, redacted message and
 * fingerprint, never a stack trace (a trace's messages may quote a body).
 */
public final class StructuredLog {
    private final LogSink sink;
    private final Map<String, Object> context;
    // the context redacted once, on first use: log lines of one processor or message share it
    private volatile @Nullable Map<String, Object> redactedContext;

    /**
     * @param sink where events go
     * @param context fields every event carries
     */
    public StructuredLog(LogSink sink, Map<String, ?> context) {
        this.sink = sink;
        this.context = new LinkedHashMap<>(context);
    }

    /**
     * @param extra more context fields
     * @return a log with this log's context plus {@code extra}
     */
    public StructuredLog with(Map<String, ?> extra) {
        Map<String, Object> merged = new LinkedHashMap<>(context);
        merged.putAll(extra);
        return new StructuredLog(sink, merged);
    }

    /**
     * @param level level
     * @param message text (redacted here)
     * @param fields fields (string values redacted here)
     * @param error an optional error
     */
    public void log(LogSink.Level level, String message, Map<String, ?> fields, @Nullable Throwable error) {
        Redactor redactor = Redactor.standard();
        Map<String, Object> redacted = redactedContext;
        if (redacted == null) {
            Map<String, Object> fresh = new LinkedHashMap<>();
            context.forEach((k, v) -> fresh.put(k, redactValue(redactor, v)));
            redactedContext = redacted = fresh;
        }
        Map<String, Object> all = new LinkedHashMap<>(redacted);
        fields.forEach((k, v) -> all.put(k, redactValue(redactor, v)));
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            all.put("trace_id", span.getTraceId());
            all.put("span_id", span.getSpanId());
        }
        if (error != null) {
            all.put("error_type", error.getClass().getName());
            all.put("error_message", Texts.redacted(String.valueOf(error.getMessage()), 1024));
            all.put("error_fingerprint", ErrorFingerprint.of(error));
        }
        try {
            sink.emit(new LogSink.Event(level, redactor.redact(message), all));
        } catch (RuntimeException ignored) {
            // a broken log sink must never fail a message
        }
    }

    private static @Nullable Object redactValue(Redactor redactor, @Nullable Object value) {
        return value instanceof CharSequence s ? redactor.redact(s.toString()) : value;
    }
}
