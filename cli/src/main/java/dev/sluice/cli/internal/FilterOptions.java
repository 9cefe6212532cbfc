package dev.sluice.cli.internal;

import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.RedriveFilter;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The dead-letter filter options {@code dlq redrive} and {@code dlq archive} share; they build a {@link RedriveFilter}. */
public final class FilterOptions {
    @Option(names = "--kind", split = ",", description = "Only these failure kinds: ${COMPLETION-CANDIDATES}.")
    Set<FailureKind> kinds = new LinkedHashSet<>();

    @Option(names = "--error-type", split = ",", description = "Only these error types (fully qualified).")
    Set<String> errorTypes = new LinkedHashSet<>();

    @Option(names = "--id", split = ",", description = "Only these message ids.")
    Set<String> ids = new LinkedHashSet<>();

    @Option(names = "--older-than", converter = Durations.class, description = "Only dead letters older than this (90s, 15m, 2h, 7d).")
    @Nullable Duration olderThan;

    @Option(names = "--newer-than", converter = Durations.class, description = "Only dead letters newer than this.")
    @Nullable Duration newerThan;

    /** @return whether any filter option was given */
    boolean any() {
        return !kinds.isEmpty() || !errorTypes.isEmpty() || !ids.isEmpty() || olderThan != null || newerThan != null;
    }

    /**
     * @return the filter the options name
     * @throws IllegalArgumentException when {@code --newer-than} is below {@code --older-than}
     */
    RedriveFilter build() {
        RedriveFilter.Builder filter = RedriveFilter.builder().kinds(kinds).errorTypes(errorTypes).ids(ids);
        if (olderThan != null) {
            filter.olderThan(olderThan);
        }
        if (newerThan != null) {
            filter.newerThan(newerThan);
        }
        return filter.build();
    }
}
