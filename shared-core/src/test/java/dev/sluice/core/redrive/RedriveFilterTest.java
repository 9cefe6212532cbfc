package dev.sluice.core.redrive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.pipeline.FailureKind;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedriveFilterTest {
    @Test
    void describe_readsAsWords_kindsInDeclarationOrder() {
        // GIVEN kinds given in another order, an error type and an age
        RedriveFilter filter = RedriveFilter.builder().kinds(new LinkedHashSet<>(List.of(FailureKind.EXHAUSTED, FailureKind.POISON)))
                .errorTypes(Set.of("java.net.SocketTimeoutException")).olderThan(Duration.ofHours(2)).build();

        // WHEN described, THEN it reads as the plan prints it, never as a Java map
        assertThat(filter.describe())
                .isEqualTo("kind in (POISON, EXHAUSTED), error type in (java.net.SocketTimeoutException), older than 2h");
        assertThat(filter.toString()).isEqualTo(filter.describe());
        assertThat(RedriveFilter.all().describe()).isEqualTo("everything");
        assertThat(RedriveFilter.builder().ids(Set.of("a", "b", "c", "d")).build().describe()).isEqualTo("id in (4 ids)");
    }

    @Test
    void toJson_holdsOneKeyPerCriterion() {
        // GIVEN a filter with kinds, ids and both ages
        RedriveFilter filter = RedriveFilter.builder().kinds(Set.of(FailureKind.POISON)).ids(Set.of("o-1"))
                .olderThan(Duration.ofMinutes(90)).newerThan(Duration.ofDays(7)).build();

        // WHEN written for the audit record, THEN each criterion is a JSON field with ISO-8601 durations
        assertThat(filter.toJson()).containsExactly(
                java.util.Map.entry("kinds", List.of("POISON")),
                java.util.Map.entry("ids", List.of("o-1")),
                java.util.Map.entry("older_than", "PT1H30M"),
                java.util.Map.entry("newer_than", "PT168H"));
        assertThat(RedriveFilter.all().toJson()).isEmpty();
    }

    @Test
    void readable_usesTheUnitsTheCliAccepts() {
        assertThat(RedriveFilter.readable(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(RedriveFilter.readable(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(RedriveFilter.readable(Duration.ofHours(36))).isEqualTo("1d12h");
        assertThat(RedriveFilter.readable(Duration.ZERO)).isEqualTo("0s");
    }
}
