package dev.sluice.core.claimcheck;

import dev.sluice.core.codec.DecodingException;

/**
 * A claim-checked message whose stored payload is not there: deleted after an earlier success, expired by a
 * lifecycle rule, or never written. The message is poison; once the object is restored, a redrive replays it.
 */
public final class MissingPayloadException extends DecodingException {
    private static final long serialVersionUID = 1L;

    /** @param pointer where the payload should have been */
    public MissingPayloadException(PayloadPointer pointer) {
        super("claim-check: the stored payload " + pointer + " is missing (deleted after an earlier success, expired by"
                + " a lifecycle rule, or never written); restore it and redrive the message");
    }
}
