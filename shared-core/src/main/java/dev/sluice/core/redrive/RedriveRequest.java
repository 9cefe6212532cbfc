package dev.sluice.core.redrive;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One redrive: what to move, how many, how fast, and who asked.
 *
 * @param filter which dead letters
 * @param dryRun count what would move, move nothing
 * @param maxMessages the most to move (or count, in a dry run)
 * @param ratePerSecond the most to move per second; 0 for no limit
 * @param operator who asked (user, role), for the audit record
 * @param confirmed the operator confirmed the plan; required unless {@code dryRun}
 */
public record RedriveRequest(RedriveFilter filter, boolean dryRun, int maxMessages, double ratePerSecond, String operator,
                             boolean confirmed) {
    /** Validates the components. */
    public RedriveRequest {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(operator, "operator");
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1, got " + maxMessages);
        }
        if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
            throw new IllegalArgumentException("ratePerSecond must not be negative, got " + ratePerSecond);
        }
        if (operator.isBlank()) {
            throw new IllegalArgumentException("operator is required for the audit record");
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RedriveRequest}. */
    public static final class Builder {
        private RedriveFilter filter = RedriveFilter.all();
        private boolean dryRun;
        private int maxMessages = Integer.MAX_VALUE;
        private double ratePerSecond;
        private @Nullable String operator;
        private boolean confirmed;

        private Builder() {}

        /** @param filter which dead letters @return this */
        public Builder filter(RedriveFilter filter) {
            this.filter = filter;
            return this;
        }

        /** @param dryRun count only @return this */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** @param maxMessages the most to move @return this */
        public Builder maxMessages(int maxMessages) {
            this.maxMessages = maxMessages;
            return this;
        }

        /** @param ratePerSecond the most per second, 0 for no limit @return this */
        public Builder ratePerSecond(double ratePerSecond) {
            this.ratePerSecond = ratePerSecond;
            return this;
        }

        /** @param operator who asked @return this */
        public Builder operator(String operator) {
            this.operator = operator;
            return this;
        }

        /** @param confirmed whether the operator confirmed @return this */
        public Builder confirmed(boolean confirmed) {
            this.confirmed = confirmed;
            return this;
        }

        /** @return the request */
        public RedriveRequest build() {
            return new RedriveRequest(filter, dryRun, maxMessages, ratePerSecond, Objects.requireNonNullElse(operator, ""),
                    confirmed);
        }
    }
}
