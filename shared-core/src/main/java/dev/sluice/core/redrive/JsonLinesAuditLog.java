package dev.sluice.core.redrive;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.SluiceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Appends one JSON object per redrive to a file: operator, started_at, finished_at, source, target, filter (a JSON
 * object, see {@link RedriveFilter#toJson()}), dry_run, outcome ({@code dry_run}, {@code declined} or
 * {@code confirmed}), matched, moved, failed. Other audited steps ({@link AuditEvent}) go to the same file, one
 * object each: operator, at, action, source, then the event's details.
 */
public final class JsonLinesAuditLog implements AuditLog {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;

    /** @param file the file to append to (created if missing) */
    public JsonLinesAuditLog(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    @Override
    public synchronized void write(AuditRecord record) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("operator", record.operator());
        json.put("started_at", record.startedAt().toString());
        json.put("finished_at", record.finishedAt().toString());
        json.put("source", record.source());
        json.put("target", record.target());
        json.put("filter", record.filter());
        json.put("dry_run", record.dryRun());
        json.put("outcome", record.outcome().jsonName());
        json.put("matched", record.matched());
        json.put("moved", record.moved());
        json.put("failed", record.failed());
        append(json);
    }

    @Override
    public synchronized void writeEvent(AuditEvent event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("operator", event.operator());
        json.put("at", event.at().toString());
        json.put("action", event.action());
        json.put("source", event.source());
        json.putAll(event.details());
        append(json);
    }

    private void append(Map<String, Object> json) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, MAPPER.writeValueAsString(json) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new SluiceException("cannot write the audit record to " + file, e);
        }
    }
}
