package dev.sluice.core.pipeline;

import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.RetryLaterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a handler's exception is permanent (dead-letter now) or retryable. Walks the cause
 * chain from the outermost exception inward; the first exception whose type was classified decides,
 * by its most specific classified type.
 * {@link PermanentFailureException} is always permanent, {@link RetryLaterException} always retryable
 * (with the delay it asks for); anything unclassified is retryable.
 */
public final class FailureClassifier {
    private final List<Map.Entry<Class<? extends Throwable>, Boolean>> permanentByType;

    private FailureClassifier(Map<Class<? extends Throwable>, Boolean> permanentByType) {
        this.permanentByType = List.copyOf(permanentByType.entrySet().stream()
                .<Map.Entry<Class<? extends Throwable>, Boolean>>map(e -> Map.entry(e.getKey(), e.getValue())).toList());
    }

    /** @return a classifier where only {@link PermanentFailureException} is permanent */
    public static FailureClassifier defaults() {
        return builder().build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param error a handler's failure
     * @return true when retrying cannot help
     */
    public boolean isPermanent(Throwable error) {
        List<Throwable> seen = new ArrayList<>();
        for (Throwable t = error; t != null && !seen.contains(t); t = t.getCause()) {
            seen.add(t);
            if (t instanceof PermanentFailureException) {
                return true;
            }
            if (t instanceof RetryLaterException) {
                return false;
            }
            Map.Entry<Class<? extends Throwable>, Boolean> best = null;
            for (Map.Entry<Class<? extends Throwable>, Boolean> e : permanentByType) {
                // the most specific classified type wins
                if (e.getKey().isInstance(t) && (best == null || best.getKey().isAssignableFrom(e.getKey()))) {
                    best = e;
                }
            }
            if (best != null) {
                return best.getValue();
            }
        }
        return false;
    }

    /**
     * The delay a handler asked for: that of the first {@link RetryLaterException} in the cause chain of
     * a failure that is not {@linkplain #isPermanent(Throwable) permanent}.
     *
     * @param error a handler's failure
     * @return the requested delay, or empty when the retry policy's backoff applies
     */
    public Optional<Duration> requestedDelay(Throwable error) {
        if (isPermanent(error)) {
            return Optional.empty();
        }
        List<Throwable> seen = new ArrayList<>();
        for (Throwable t = error; t != null && !seen.contains(t); t = t.getCause()) {
            seen.add(t);
            if (t instanceof RetryLaterException later) {
                return Optional.of(later.delay());
            }
        }
        return Optional.empty();
    }

    /** Builds a {@link FailureClassifier}. */
    public static final class Builder {
        private final Map<Class<? extends Throwable>, Boolean> types = new LinkedHashMap<>();

        private Builder() {}

        /** @param types exception types that are permanent (their subtypes too) @return this */
        @SafeVarargs
        public final Builder permanent(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> t : types) {
                this.types.put(Objects.requireNonNull(t, "type"), Boolean.TRUE);
            }
            return this;
        }

        /**
         * @param types exception types that are retryable even when a cause is classified permanent
         * @return this
         */
        @SafeVarargs
        public final Builder retryable(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> t : types) {
                this.types.put(Objects.requireNonNull(t, "type"), Boolean.FALSE);
            }
            return this;
        }

        /** @return the classifier */
        public FailureClassifier build() {
            return new FailureClassifier(types);
        }
    }
}
