package dev.sluice.core.testing;

import dev.sluice.core.spi.LogSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event, for assertions on what operators would read. */
public final class RecordingLogSink implements LogSink {
    public final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void emit(Event event) {
        events.add(event);
    }

    public String allText() {
        StringBuilder sb = new StringBuilder();
        events.forEach(e -> sb.append(e.message()).append(' ').append(e.fields()).append('\n'));
        return sb.toString();
    }
}
