package dev.sluice.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.spi.LogSink;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Writes each log event as one JSON line to standard output, which Lambda sends to CloudWatch Logs:
 * {@code timestamp}, {@code level}, {@code message}, then the event's fields ({@code queue_name},
 * {@code message_id}, {@code correlation_id}, {@code operation}, {@code delivery_count}, ...). Needs no
 * logging framework, so it adds nothing to the cold start. Events arrive redacted from the pipeline.
 */
public final class LambdaJsonLogSink implements LogSink {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Level minimum;
    private final Consumer<String> out;
    private final Clock clock;

    /**
     * @param minimum the lowest level written
     * @param out where each line goes
     * @param clock the clock for timestamps
     */
    public LambdaJsonLogSink(Level minimum, Consumer<String> out, Clock clock) {
        this.minimum = Objects.requireNonNull(minimum, "minimum");
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param minimum the lowest level written
     * @return a sink writing to standard output
     */
    public static LambdaJsonLogSink toStandardOutput(Level minimum) {
        PrintStream stdout = System.out;
        return new LambdaJsonLogSink(minimum, stdout::println, Clock.systemUTC());
    }

    @Override
    public void emit(Event event) {
        if (event.level().ordinal() < minimum.ordinal()) {
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("timestamp", clock.instant().toString());
        json.put("level", event.level().name());
        json.put("message", event.message());
        event.fields().forEach(json::putIfAbsent);
        String line;
        try {
            line = MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            line = "{\"level\":\"" + event.level() + "\",\"message\":\"unserialisable log event\"}";
        }
        out.accept(line);
    }
}
