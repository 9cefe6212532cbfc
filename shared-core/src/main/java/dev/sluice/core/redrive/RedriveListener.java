package dev.sluice.core.redrive;

/** Receives progress, e.g. to draw a progress bar. Called on the redriving thread. */
@FunctionalInterface
public interface RedriveListener {
    /** Ignores progress. */
    RedriveListener NONE = progress -> {};

    /** @param progress the state after one more dead letter */
    void onProgress(RedriveProgress progress);
}
