package dev.sluice.core.testing;

import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.codec.DecodingException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link PayloadStore} in memory for the pipeline's own tests (it passes {@link PayloadStoreContract}); the cloud
 * stores are tested on their engines. {@link #failing(boolean)} makes every call fail as an unreachable store would.
 */
public final class InMemoryPayloadStore implements PayloadStore {
    private final PayloadPointer.Store kind;
    private final String container;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final AtomicBoolean failing = new AtomicBoolean();

    /**
     * @param kind the kind of pointer it writes
     * @param container the bucket or container named in its pointers
     */
    public InMemoryPayloadStore(PayloadPointer.Store kind, String container) {
        this.kind = kind;
        this.container = container;
    }

    /** @param failing whether every call fails from now on */
    public void failing(boolean failing) {
        this.failing.set(failing);
    }

    /** @return how many objects are stored */
    public int size() {
        return objects.size();
    }

    @Override
    public PayloadPointer.Store kind() {
        return kind;
    }

    @Override
    public String container() {
        return container;
    }

    @Override
    public PayloadPointer put(byte[] payload) {
        check();
        String key = UUID.randomUUID().toString();
        objects.put(key, payload.clone());
        return new PayloadPointer(kind, container, key);
    }

    @Override
    public Optional<byte[]> get(PayloadPointer pointer, int maxBytes) {
        check();
        byte[] bytes = pointer.container().equals(container) ? objects.get(pointer.key()) : null;
        if (bytes != null && bytes.length > maxBytes) {
            throw new DecodingException("claim-check: the stored payload is " + bytes.length + " bytes; at most "
                    + maxBytes + " are accepted");
        }
        return Optional.ofNullable(bytes).map(byte[]::clone);
    }

    @Override
    public void delete(PayloadPointer pointer) {
        check();
        if (pointer.container().equals(container)) {
            objects.remove(pointer.key());
        }
    }

    private void check() {
        if (failing.get()) {
            throw new IllegalStateException("payload store unreachable");
        }
    }
}
