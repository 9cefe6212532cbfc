package dev.sluice.core;

import dev.sluice.core.pipeline.FailureKind;

/**
 * Thrown by a handler to say that retrying cannot help: the message goes to the dead-letter queue at
 * once with failure kind {@link FailureKind#PERMANENT}.
 */
public class PermanentFailureException extends SluiceException {
    private static final long serialVersionUID = 1L;

    /** @param message why the message can never succeed */
    public PermanentFailureException(String message) {
        super(message);
    }

    /**
     * @param message why the message can never succeed
     * @param cause the underlying failure
     */
    public PermanentFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
