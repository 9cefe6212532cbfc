package dev.sluice.core.codec;

import dev.sluice.core.SluiceException;

/**
 * A body could not be turned into a message: it does not parse, its schema version is unknown, or it
 * exceeds a size limit. Such a message is poison: dead-lettered at once, never retried.
 */
public class DecodingException extends SluiceException {
    private static final long serialVersionUID = 1L;

    /** @param message why decoding failed (never the body itself) */
    public DecodingException(String message) {
        super(message);
    }

    /**
     * @param message why decoding failed (never the body itself)
     * @param cause the parser's failure
     */
    public DecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
