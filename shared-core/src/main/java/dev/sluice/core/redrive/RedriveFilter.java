package dev.sluice.core.redrive;

import dev.sluice.core.pipeline.FailureKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
        // ordered, so the plan and the audit record read the same on every run: kinds in declaration order, the rest as given
        this.kinds = b.kinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(b.kinds));
        this.errorTypes = Collections.unmodifiableSet(new LinkedHashSet<>(b.errorTypes));
        this.ids = Collections.unmodifiableSet(new LinkedHashSet<>(b.ids));
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

    /**
     * The criteria for people, as the redrive plan prints them: {@code kind in (POISON, EXHAUSTED), older than 2h};
     * {@code everything} when no criterion is set.
     *
     * @return the criteria, readable; not escaped for a terminal
     */
    public String describe() {
        StringJoiner j = new StringJoiner(", ");
        if (!kinds.isEmpty()) j.add("kind in (" + String.join(", ", kinds.stream().map(Enum::name).toList()) + ")");
        if (!errorTypes.isEmpty()) j.add("error type in (" + String.join(", ", errorTypes) + ")");
        if (!ids.isEmpty()) j.add(ids.size() <= 3 ? "id in (" + String.join(", ", ids) + ")" : "id in (" + ids.size() + " ids)");
        if (olderThan != null) j.add("older than " + readable(olderThan));
        if (newerThan != null) j.add("newer than " + readable(newerThan));
        return j.length() == 0 ? "everything" : j.toString();
    }

    /**
     * The criteria for the audit record, one key per criterion set: {@code kinds}, {@code error_types}, {@code ids}
     * (lists of strings), {@code older_than} and {@code newer_than} (ISO-8601 durations, e.g. {@code PT2H}). An empty
     * map selects everything.
     *
     * @return the criteria as a JSON object's fields, in that order
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        if (!kinds.isEmpty()) json.put("kinds", kinds.stream().map(Enum::name).toList());
        if (!errorTypes.isEmpty()) json.put("error_types", List.copyOf(errorTypes));
        if (!ids.isEmpty()) json.put("ids", List.copyOf(ids));
        if (olderThan != null) json.put("older_than", olderThan.toString());
        if (newerThan != null) json.put("newer_than", newerThan.toString());
        return json;
    }

    /**
     * @param d a duration
     * @return it as the CLI accepts it, largest units first: {@code 90s} is {@code 1m30s}, {@code 2h}, {@code 7d},
     *     {@code 1d12h}; below a second, {@code 0s} or the ISO-8601 form
     */
    public static String readable(Duration d) {
        if (d.isNegative() || d.toNanosPart() != 0 && d.getSeconds() == 0) {
            return d.toString();
        }
        long days = d.toDays();
        StringBuilder b = new StringBuilder();
        if (days > 0) b.append(days).append('d');
        if (d.toHoursPart() > 0) b.append(d.toHoursPart()).append('h');
        if (d.toMinutesPart() > 0) b.append(d.toMinutesPart()).append('m');
        if (d.toSecondsPart() > 0 || b.isEmpty()) b.append(d.toSecondsPart()).append('s');
        return b.toString();
    }

    @Override
    public String toString() {
        return describe();
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
