package dev.sluice.core.redrive;

import dev.sluice.core.pipeline.FailureKind;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * Which dead letters to redrive. Criteria combine with AND; an empty set matches everything. Dead
 * letters without a Sluice envelope have no kind or error type and match only when those sets are empty.
 */
public final class RedriveFilter {
    private final Set<FailureKind> kinds;
    private final Set<String> errorTypes;
    private final Set<String> ids;
    private final @Nullable Duration olderThan;
    private final @Nullable Duration newerThan;

    private RedriveFilter(Builder b) {
        this.kinds = Set.copyOf(b.kinds);
        this.errorTypes = Set.copyOf(b.errorTypes);
        this.ids = Set.copyOf(b.ids);
        this.olderThan = b.olderThan;
        this.newerThan = b.newerThan;
    }

    /** @return a filter that matches every dead letter */
    public static RedriveFilter all() {
        return builder().build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param deadLetter a dead letter
     * @param now the current time
     * @return whether it should be redriven
     */
    public boolean matches(DeadLetter deadLetter, Instant now) {
        var envelope = deadLetter.envelope();
        if (!kinds.isEmpty() && envelope.map(e -> !kinds.contains(e.failureKind())).orElse(true)) {
            return false;
        }
        if (!errorTypes.isEmpty() && envelope.map(e -> !errorTypes.contains(e.errorType())).orElse(true)) {
            return false;
        }
        if (!ids.isEmpty() && !ids.contains(deadLetter.originalMessageId()) && !ids.contains(deadLetter.providerMessageId())) {
            return false;
        }
        Duration age = Duration.between(deadLetter.failedAt(), now);
        if (olderThan != null && age.compareTo(olderThan) < 0) {
            return false;
        }
        return newerThan == null || age.compareTo(newerThan) <= 0;
    }

    /** @return whether this filter matches every dead letter (no criterion set) */
    public boolean matchesEverything() {
        return kinds.isEmpty() && errorTypes.isEmpty() && ids.isEmpty() && olderThan == null && newerThan == null;
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        if (!kinds.isEmpty()) j.add("kinds=" + kinds);
        if (!errorTypes.isEmpty()) j.add("errorTypes=" + errorTypes);
        if (!ids.isEmpty()) j.add("ids=" + ids.size());
        if (olderThan != null) j.add("olderThan=" + olderThan);
        if (newerThan != null) j.add("newerThan=" + newerThan);
        return j.toString();
    }

    /** Builds a {@link RedriveFilter}. */
    public static final class Builder {
        private final Set<FailureKind> kinds = new LinkedHashSet<>();
        private final Set<String> errorTypes = new LinkedHashSet<>();
        private final Set<String> ids = new LinkedHashSet<>();
        private @Nullable Duration olderThan;
        private @Nullable Duration newerThan;

        private Builder() {}

        /** @param kinds failure kinds to include @return this */
        public Builder kinds(Set<FailureKind> kinds) {
            this.kinds.addAll(kinds);
            return this;
        }

        /** @param errorTypes error types (e.g. {@code java.net.SocketTimeoutException}) to include @return this */
        public Builder errorTypes(Set<String> errorTypes) {
            this.errorTypes.addAll(errorTypes);
            return this;
        }

        /** @param ids message ids (stable or provider ids) to include @return this */
        public Builder ids(Set<String> ids) {
            this.ids.addAll(ids);
            return this;
        }

        /** @param age only dead letters that failed at least this long ago @return this */
        public Builder olderThan(Duration age) {
            this.olderThan = Objects.requireNonNull(age, "olderThan");
            return this;
        }

        /** @param age only dead letters that failed at most this long ago @return this */
        public Builder newerThan(Duration age) {
            this.newerThan = Objects.requireNonNull(age, "newerThan");
            return this;
        }

        /** @return the filter */
        public RedriveFilter build() {
            if (olderThan != null && newerThan != null && newerThan.compareTo(olderThan) < 0) {
                throw new IllegalArgumentException("newerThan (" + newerThan + ") must not be below olderThan (" + olderThan + ")");
            }
            return new RedriveFilter(this);
        }
    }
}
