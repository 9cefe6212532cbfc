package dev.sluice.core.claimcheck;

import dev.sluice.core.config.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a sender stores payloads and a consumer may delete them, as {@code SLUICE_PAYLOAD_STORE} names it:
 * {@code s3://<bucket>[/<key prefix>]}, or a Blob Storage container's URL,
 * {@code https://<account>.blob.core.windows.net/<container>} (any {@code http(s)} URL whose last path segment is
 * the container, so Azurite's {@code http://127.0.0.1:10000/devstoreaccount1/<container>} works too).
 *
 * @param store which kind of store
 * @param container the bucket or container
 * @param prefix the S3 key prefix new payloads get (empty for none; always empty on Blob Storage)
 * @param accountUrl the storage account's URL (Blob Storage), null on S3
 */
public record PayloadLocation(PayloadPointer.Store store, String container, String prefix, @Nullable URI accountUrl) {
    /** Checks. */
    public PayloadLocation {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(prefix, "prefix");
    }

    /**
     * @param value the setting's value
     * @param setting the variable to name in errors
     * @return the location
     * @throws ConfigurationException naming {@code setting} when the value is neither form
     */
    public static PayloadLocation parse(String value, String setting) {
        String expected = "expected 's3://<bucket>[/<prefix>]' or 'https://<account>.blob.core.windows.net/<container>', got '"
                + value + "'";
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new ConfigurationException(setting, expected);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if ("s3".equals(uri.getScheme())) {
            String bucket = uri.getHost();
            if (bucket == null || bucket.isBlank() || uri.getQuery() != null) {
                throw new ConfigurationException(setting, expected);
            }
            String prefix = path.startsWith("/") ? path.substring(1) : path;
            if (!prefix.isEmpty() && !prefix.endsWith("/")) {
                prefix = prefix + "/";
            }
            return new PayloadLocation(PayloadPointer.Store.S3, bucket, prefix, null);
        }
        if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null
                && uri.getQuery() == null) {
            String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            int slash = trimmed.lastIndexOf('/');
            String container = slash < 0 ? "" : trimmed.substring(slash + 1);
            if (container.isEmpty()) {
                throw new ConfigurationException(setting, expected);
            }
            URI account = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + trimmed.substring(0, slash));
            return new PayloadLocation(PayloadPointer.Store.BLOB, container, "", account);
        }
        throw new ConfigurationException(setting, expected);
    }

    @Override
    public String toString() {
        return store == PayloadPointer.Store.S3 ? "s3://" + container + "/" + prefix : accountUrl + "/" + container;
    }
}
