package dev.sluice.aws.testing;

import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Creates S3 buckets with unique names and reads them for assertions. */
public final class Buckets {
    private Buckets() {}

    /**
     * @param s3 a client
     * @param prefix a readable prefix (lower case)
     * @return the new bucket's name
     */
    public static String create(S3Client s3, String prefix) {
        String bucket = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(r -> r.bucket(bucket));
        return bucket;
    }

    /**
     * @param s3 a client
     * @param bucket a bucket
     * @return how many objects it holds
     */
    public static int count(S3Client s3, String bucket) {
        return s3.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().mapToInt(o -> 1).sum();
    }

    /**
     * @param s3 a client
     * @param bucket a bucket
     * @param key a key
     * @return whether the object is there
     */
    public static boolean exists(S3Client s3, String bucket, String key) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
