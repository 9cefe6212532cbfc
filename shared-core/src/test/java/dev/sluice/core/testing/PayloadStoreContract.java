package dev.sluice.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.codec.DecodingException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PayloadStore} promises, whatever its engine: bytes come back exactly as stored (binary included),
 * every put gets a fresh name, a missing object reads as empty (never an error), a delete is idempotent, an object over
 * the reader's limit is refused as poison, and the pointer survives its wire form.
 *
 * <p>Each store's tests extend this class (shared-core's test-jar): the in-memory store here, S3 on moto in
 * functions-aws, Blob Storage on Azurite in functions-azure.
 */
public abstract class PayloadStoreContract {
    /** The store under test. */
    protected PayloadStore store;

    /** @return a store writing to an existing, empty bucket or container */
    protected abstract PayloadStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @Test
    void bytesComeBackExactlyAsStored() {
        byte[] payload = new byte[300 * 1024];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        PayloadPointer pointer = store.put(payload);

        assertThat(pointer.store()).isEqualTo(store.kind());
        assertThat(store.get(pointer, payload.length)).hasValueSatisfying(read -> assertThat(read).isEqualTo(payload));
    }

    @Test
    void everyPutGetsAFreshName() {
        byte[] same = "{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8);
        PayloadPointer first = store.put(same);
        PayloadPointer second = store.put(same);

        assertThat(second).isNotEqualTo(first);
        assertThat(second.container()).isEqualTo(first.container());
    }

    @Test
    void aMissingObjectReadsAsEmpty() {
        PayloadPointer stored = store.put(new byte[] {1, 2, 3});
        PayloadPointer missing = new PayloadPointer(stored.store(), stored.container(), stored.key() + "-never-written");

        assertThat(store.get(missing, 1024)).isEmpty();
    }

    @Test
    void aDeletedObjectIsGoneAndDeletingAgainSucceeds() {
        PayloadPointer pointer = store.put(new byte[] {1, 2, 3});

        store.delete(pointer);

        assertThat(store.get(pointer, 1024)).isEmpty();
        assertThatCode(() -> store.delete(pointer)).doesNotThrowAnyException();
    }

    @Test
    void anObjectOverTheLimitIsPoison() {
        PayloadPointer pointer = store.put(new byte[2048]);

        assertThatThrownBy(() -> store.get(pointer, 1024)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("1024");
    }

    @Test
    void thePointerSurvivesItsWireForm() {
        PayloadPointer pointer = store.put(new byte[] {42});

        PayloadPointer read = ClaimCheck.parse(ClaimCheck.format(pointer).getBytes(StandardCharsets.UTF_8));

        assertThat(read).isEqualTo(pointer);
        assertThat(store.get(read, 16)).hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(42));
    }
}
