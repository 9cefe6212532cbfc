package dev.sluice.core.codec;

import dev.sluice.core.SluiceException;
import dev.sluice.core.redrive.SluiceAttributes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Gzip for large payloads. Producers compress with {@link #gzipBase64(byte[])} and set
 * {@code content-encoding: gzip}; the pipeline inflates with a size cap against decompression bombs.
 * Text-only queues (SQS) carry the gzip bytes as base64; binary queues may carry raw gzip bytes.
 */
public final class PayloadCompression {
    /** The {@code content-encoding} value for gzip. */
    public static final String GZIP = "gzip";

    private PayloadCompression() {}

    /**
     * @param payload bytes to compress
     * @return base64 text of the gzip bytes, as UTF-8 bytes (for text-only queues)
     */
    public static byte[] gzipBase64(byte[] payload) {
        return Base64.getEncoder().encode(gzip(payload));
    }

    /**
     * @param payload bytes to compress
     * @return the gzip bytes
     */
    public static byte[] gzip(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, payload.length / 4));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(payload);
        } catch (IOException e) {
            throw new SluiceException("gzip failed", e);
        }
        return out.toByteArray();
    }

    /** @return the attributes a producer adds to a gzip-encoded message */
    public static Map<String, String> attributes() {
        return Map.of(SluiceAttributes.CONTENT_ENCODING, GZIP);
    }

    /**
     * Returns the payload to decode: the body itself, or the inflated body when
     * {@code content-encoding} is {@code gzip}.
     *
     * @param body the body as received
     * @param attributes its attributes
     * @param maxInflatedBytes the largest inflated payload accepted
     * @return the payload
     * @throws DecodingException on an unknown encoding, bad gzip or base64, or a payload over the cap
     */
    public static byte[] decodePayload(byte[] body, Map<String, String> attributes, int maxInflatedBytes) {
        String encoding = attributes.get(SluiceAttributes.CONTENT_ENCODING);
        if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
            return body;
        }
        if (!encoding.trim().equalsIgnoreCase(GZIP)) {
            throw new DecodingException("unsupported content-encoding '" + encoding + "'");
        }
        byte[] gzipBytes = body;
        if (body.length < 2 || (body[0] & 0xff) != 0x1f || (body[1] & 0xff) != 0x8b) {
            try {
                gzipBytes = Base64.getMimeDecoder().decode(new String(body, StandardCharsets.US_ASCII).trim());
            } catch (IllegalArgumentException e) {
                throw new DecodingException("content-encoding gzip, but the body is neither gzip nor base64 of gzip");
            }
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipBytes))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxInflatedBytes, Math.max(64, gzipBytes.length * 4)));
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > maxInflatedBytes) {
                    throw new DecodingException("inflated body exceeds the limit of " + maxInflatedBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new DecodingException("gzip body is corrupt: " + e.getMessage(), e);
        }
    }
}
