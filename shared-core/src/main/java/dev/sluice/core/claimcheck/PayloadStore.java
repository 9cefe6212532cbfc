package dev.sluice.core.claimcheck;

import dev.sluice.core.codec.DecodingException;
import java.util.Optional;

/**
 * The port to where payloads too large for a message are kept. Each cloud adapter implements it (S3, Blob Storage);
 * objects are written once under a fresh name and never changed, so a pointer names one payload for its life.
 */
public interface PayloadStore {
    /** @return the kind of pointer this store writes and reads */
    PayloadPointer.Store kind();

    /**
     * @return the bucket or container it writes to; a consumer reads and deletes only pointers into it, so a message
     *     cannot make it read another bucket the function may reach
     */
    String container();

    /**
     * Stores a payload under a fresh name.
     *
     * @param payload the bytes
     * @return where they are
     * @throws RuntimeException when the store cannot be written; nothing is sent then
     */
    PayloadPointer put(byte[] payload);

    /**
     * Reads a payload.
     *
     * @param pointer where it is ({@link #kind()} matches)
     * @param maxBytes the largest payload accepted
     * @return the bytes, or empty when no object is there
     * @throws DecodingException when the object is larger than {@code maxBytes} (the message is poison)
     * @throws RuntimeException when the store cannot be reached (the message is retried)
     */
    Optional<byte[]> get(PayloadPointer pointer, int maxBytes);

    /**
     * Deletes a payload; deleting one that is gone succeeds.
     *
     * @param pointer where it is
     * @throws RuntimeException when the store cannot be reached
     */
    void delete(PayloadPointer pointer);
}
