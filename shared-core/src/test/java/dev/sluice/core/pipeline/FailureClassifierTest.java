package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.RetryLaterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {
    /** A user's own permanent failure type. */
    static final class InvalidOrderException extends PermanentFailureException {
        InvalidOrderException(String message) {
            super(message);
        }
    }

    /** A user's validation error hierarchy. */
    static class ValidationException extends RuntimeException {
        ValidationException(String message) {
            super(message);
        }
    }

    static final class TransientValidationException extends ValidationException {
        TransientValidationException(String message) {
            super(message);
        }
    }

    private final FailureClassifier defaults = FailureClassifier.defaults();

    @Test
    void defaults_shouldTreatPermanentFailureException_andItsSubtypes_asPermanent() {
        assertThat(defaults.isPermanent(new PermanentFailureException("order was cancelled"))).isTrue();
        assertThat(defaults.isPermanent(new InvalidOrderException("no lines"))).isTrue();
    }

    @Test
    void defaults_shouldTreatEverythingElse_asRetryable() {
        assertThat(defaults.isPermanent(new IllegalStateException("pool exhausted"))).isFalse();
        assertThat(defaults.isPermanent(new IOException("connection reset"))).isFalse();
        assertThat(defaults.isPermanent(new RuntimeException())).isFalse();
    }

    @Test
    void defaults_shouldFindAPermanentFailure_inTheCauseChain() {
        // GIVEN a PermanentFailureException wrapped twice by frameworks
        Throwable wrapped = new CompletionException(new ExecutionException(new PermanentFailureException("bad order")));

        // THEN it is still permanent
        assertThat(defaults.isPermanent(wrapped)).isTrue();
    }

    @Test
    void permanent_shouldClassifyTheConfiguredTypes_andTheirSubtypes() {
        // GIVEN a user who says their validation errors are permanent
        FailureClassifier classifier = FailureClassifier.builder().permanent(ValidationException.class, NumberFormatException.class)
                .build();

        // THEN those types and their subtypes are permanent, others are not
        assertThat(classifier.isPermanent(new ValidationException("amount < 0"))).isTrue();
        assertThat(classifier.isPermanent(new TransientValidationException("rate table loading"))).isTrue();
        assertThat(classifier.isPermanent(new NumberFormatException("x"))).isTrue();
        assertThat(classifier.isPermanent(new IllegalArgumentException("not configured"))).isFalse();
        assertThat(classifier.isPermanent(new PermanentFailureException("still permanent"))).isTrue();
    }

    @Test
    void permanent_shouldBeFound_inTheCauseChain() {
        FailureClassifier classifier = FailureClassifier.builder().permanent(ValidationException.class).build();

        assertThat(classifier.isPermanent(new RuntimeException("handler failed", new ValidationException("amount < 0"))))
                .isTrue();
    }

    @Test
    void mostSpecificType_shouldWin_whateverTheOrderOfConfiguration() {
        // GIVEN a permanent supertype and a retryable subtype, configured in both orders
        FailureClassifier permanentFirst = FailureClassifier.builder()
                .permanent(ValidationException.class).retryable(TransientValidationException.class).build();
        FailureClassifier retryableFirst = FailureClassifier.builder()
                .retryable(TransientValidationException.class).permanent(ValidationException.class).build();

        // THEN the subtype is retryable and the supertype permanent, either way
        for (FailureClassifier classifier : new FailureClassifier[] {permanentFirst, retryableFirst}) {
            assertThat(classifier.isPermanent(new TransientValidationException("rate table loading"))).isFalse();
            assertThat(classifier.isPermanent(new ValidationException("amount < 0"))).isTrue();
        }
    }

    @Test
    void retryable_shouldOverrideAPermanentCause() {
        // GIVEN a retryable wrapper around a cause classified permanent
        FailureClassifier classifier = FailureClassifier.builder()
                .permanent(IllegalArgumentException.class).retryable(UncheckedIOException.class).build();
        Throwable error = new UncheckedIOException("read failed", new IOException(new IllegalArgumentException("bad header")));

        // THEN the outer, retryable classification decides
        assertThat(classifier.isPermanent(error)).isFalse();
    }

    @Test
    void classifiedCause_shouldDecide_whenTheOuterExceptionIsUnclassified() {
        // GIVEN an unclassified wrapper around a retryable cause around a permanent one
        FailureClassifier classifier = FailureClassifier.builder()
                .permanent(IllegalArgumentException.class).retryable(IOException.class).build();
        Throwable error = new RuntimeException(new IOException(new IllegalArgumentException("bad header")));

        // THEN the first classified exception from the outside decides: retryable
        assertThat(classifier.isPermanent(error)).isFalse();
    }

    @Test
    void isPermanent_shouldTerminate_onACyclicCauseChain() {
        // GIVEN two exceptions that are each other's cause
        RuntimeException a = new RuntimeException("a");
        IllegalStateException b = new IllegalStateException("b", a);
        a.initCause(b);

        // THEN classification ends (no endless loop) with "retryable"
        assertThat(defaults.isPermanent(a)).isFalse();
    }

    @Test
    void retryLater_shouldBeRetryable_withItsDelay_evenWhenItsSupertypeIsClassifiedPermanent() {
        // GIVEN a user who classified every RuntimeException as permanent
        FailureClassifier strict = FailureClassifier.builder().permanent(RuntimeException.class).build();
        RetryLaterException later = new RetryLaterException("429 from payments", Duration.ofSeconds(90));

        // THEN a handler's explicit request still wins
        assertThat(strict.isPermanent(later)).isFalse();
        assertThat(strict.requestedDelay(later)).contains(Duration.ofSeconds(90));
    }

    @Test
    void requestedDelay_shouldBeFoundAsACause_unlessAnOuterExceptionIsPermanent() {
        RetryLaterException later = new RetryLaterException(Duration.ofSeconds(7));

        assertThat(defaults.requestedDelay(new CompletionException(later))).contains(Duration.ofSeconds(7));
        assertThat(defaults.requestedDelay(new PermanentFailureException("gone", later))).isEmpty();
        assertThat(defaults.requestedDelay(new IllegalStateException("plain"))).isEmpty();
    }
}
