package dev.sluice.core;

/** The root of every exception Sluice throws. Subtypes carry the context needed to act on them. */
public class SluiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, never containing a message body or a secret */
    public SluiceException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, never containing a message body or a secret
     * @param cause the underlying failure
     */
    public SluiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
