package dev.sluice.aws;

import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.codec.DecodingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Claim-checked payloads in one S3 bucket, under {@code <prefix><random UUID>}: the store behind
 * {@code SLUICE_PAYLOAD_STORE=s3://<bucket>[/<prefix>]}, and the same objects the Amazon SQS Extended Client Library
 * writes and reads. An object is written once and never changed; reading one larger than the reader's limit never
 * loads it into memory. Give the bucket a lifecycle rule: objects of messages that were dead-lettered, or that
 * succeeded with deletion turned off, stay until it removes them. Thread-safe.
 */
public final class S3PayloadStore implements PayloadStore {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    private S3PayloadStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /**
     * @param s3 the client (shared; the store does not close it). On a local engine such as moto, give it the
     *     endpoint override; path-style access is what such engines serve ({@code forcePathStyle(true)})
     * @param location where payloads go, e.g. {@code PayloadLocation.parse("s3://bucket/prefix/", ...)}
     * @return the store
     * @throws IllegalArgumentException when {@code location} is not an S3 location
     */
    public static S3PayloadStore of(S3Client s3, PayloadLocation location) {
        Objects.requireNonNull(s3, "s3");
        Objects.requireNonNull(location, "location");
        if (location.store() != PayloadPointer.Store.S3) {
            throw new IllegalArgumentException("an S3 payload store needs an s3://<bucket>[/<prefix>] location, got " + location);
        }
        return new S3PayloadStore(s3, location.container(), location.prefix());
    }

    /** @return the bucket payloads are written to */
    @Override
    public String container() {
        return bucket;
    }

    @Override
    public PayloadPointer.Store kind() {
        return PayloadPointer.Store.S3;
    }

    @Override
    public PayloadPointer put(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        String key = prefix + UUID.randomUUID();
        s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/octet-stream"), RequestBody.fromBytes(payload));
        return new PayloadPointer(PayloadPointer.Store.S3, bucket, key);
    }

    @Override
    public Optional<byte[]> get(PayloadPointer pointer, int maxBytes) {
        Objects.requireNonNull(pointer, "pointer");
        ResponseInputStream<GetObjectResponse> object;
        try {
            object = s3.getObject(r -> r.bucket(pointer.container()).key(pointer.key()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            // a 404 without the NoSuchKey type (some S3-compatible engines); a missing bucket stays an error
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
                return Optional.empty();
            }
            throw e;
        }
        try (object) {
            Long length = object.response().contentLength();
            if (length != null && length > maxBytes) {
                object.abort();
                throw tooLarge(pointer, length, maxBytes);
            }
            // read at most one byte past the limit, whatever the announced length said
            byte[] bytes = object.readNBytes(maxBytes == Integer.MAX_VALUE ? maxBytes : maxBytes + 1);
            if (bytes.length > maxBytes) {
                object.abort();
                throw tooLarge(pointer, bytes.length, maxBytes);
            }
            return Optional.of(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stored payload " + pointer, e);
        }
    }

    @Override
    public void delete(PayloadPointer pointer) {
        Objects.requireNonNull(pointer, "pointer");
        // S3 answers a delete of a missing key with success: idempotent as it is
        s3.deleteObject(r -> r.bucket(pointer.container()).key(pointer.key()));
    }

    private static DecodingException tooLarge(PayloadPointer pointer, long bytes, int maxBytes) {
        return new DecodingException("claim-check: the stored payload " + pointer + " is " + bytes
                + " bytes, over the limit of " + maxBytes + " (SLUICE_MAX_PAYLOAD_BYTES)");
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    }

    @Override
    public String toString() {
        return "S3PayloadStore[s3://" + bucket + "/" + prefix + "]";
    }
}
