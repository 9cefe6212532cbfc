package dev.sluice.core.claimcheck;

import java.util.Objects;

/**
 * Where one stored payload lives.
 *
 * @param store which kind of store
 * @param container the S3 bucket or the Blob Storage container
 * @param key the object key or blob name
 */
public record PayloadPointer(Store store, String container, String key) {
    /** The kinds of store a pointer can name. */
    public enum Store {
        /** Amazon S3: the pointer is the Amazon SQS Extended Client Library's {@code PayloadS3Pointer}. */
        S3("s3"),
        /** Azure Blob Storage. */
        BLOB("blob");

        private final String scheme;

        Store(String scheme) {
            this.scheme = scheme;
        }

        /** @return the scheme in {@link PayloadPointer#toString()} */
        public String scheme() {
            return scheme;
        }
    }

    /** Checks. */
    public PayloadPointer {
        Objects.requireNonNull(store, "store");
        if (Objects.requireNonNull(container, "container").isBlank()) {
            throw new IllegalArgumentException("a payload pointer needs a bucket or container");
        }
        if (Objects.requireNonNull(key, "key").isBlank()) {
            throw new IllegalArgumentException("a payload pointer needs a key");
        }
    }

    /** @return e.g. {@code s3://bucket/key} or {@code blob://container/name}, for reasons and logs */
    @Override
    public String toString() {
        return store.scheme + "://" + container + "/" + key;
    }
}
