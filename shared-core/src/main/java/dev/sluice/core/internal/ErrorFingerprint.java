package dev.sluice.core.internal;

import dev.sluice.core.security.Hashes;
import java.nio.charset.StandardCharsets;

/** A short, stable hash of an error's type and top frames, to group equal failures in a dead-letter queue. */
public final class ErrorFingerprint {
    private static final int FRAMES = 5;

    private ErrorFingerprint() {}

    /**
     * Frames carry class and method names only (no line numbers), so a fingerprint survives unrelated
     * edits of the same file.
     *
     * @param error the error
     * @return 16 hex characters
     */
    public static String of(Throwable error) {
        StringBuilder sb = new StringBuilder(error.getClass().getName());
        StackTraceElement[] frames = error.getStackTrace();
        for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
            sb.append('|').append(frames[i].getClassName()).append('#').append(frames[i].getMethodName());
        }
        return of(sb.toString());
    }

    /**
     * @param reason a reason without a stack (e.g. a decode failure type)
     * @return 16 hex characters
     */
    public static String of(String reason) {
        return Hashes.sha256Hex(reason.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }
}
