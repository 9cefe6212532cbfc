package dev.sluice.aws.internal;

import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.spi.LogSink;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Runs priming steps before a SnapStart (CRaC) checkpoint, so the snapshot holds loaded and initialised
 * classes for Jackson, the pipeline and the SDK clients instead of each restored instance paying for them
 * on its first batch. Each step is best effort: a failed step is logged and the checkpoint goes on.
 * CRaC keeps only a weak reference to registered resources, so the owner must keep this one.
 */
public final class SnapStartPriming implements Resource {
    /**
     * One priming step.
     *
     * @param name what it primes, for the log
     * @param action the step
     */
    public record Step(String name, Runnable action) {
        /** Validates the components. */
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(action, "action");
        }
    }

    private final List<Step> steps;
    private final StructuredLog log;

    /**
     * @param steps the steps, run in order
     * @param log where results go
     */
    public SnapStartPriming(List<Step> steps, StructuredLog log) {
        this.steps = List.copyOf(steps);
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Registers with the global CRaC context; a no-op on a JVM without CRaC or SnapStart. */
    public void register() {
        Core.getGlobalContext().register(this);
    }

    /** @return the steps that succeeded, by name, with their duration in milliseconds or -1 when failed */
    public Map<String, Long> prime() {
        Map<String, Long> results = new LinkedHashMap<>();
        for (Step step : steps) {
            long started = System.nanoTime();
            try {
                step.action().run();
                results.put(step.name(), (System.nanoTime() - started) / 1_000_000);
            } catch (RuntimeException | LinkageError e) {
                results.put(step.name(), -1L);
                log.log(LogSink.Level.WARN, "priming step failed: " + step.name(), Map.of("operation", "snapstart_priming"), e);
            }
        }
        log.log(LogSink.Level.INFO, "primed before checkpoint", Map.of("operation", "snapstart_priming", "steps", results.toString()), null);
        return results;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        log.log(LogSink.Level.INFO, "restored from snapshot", Map.of("operation", "snapstart_restore"), null);
    }
}
