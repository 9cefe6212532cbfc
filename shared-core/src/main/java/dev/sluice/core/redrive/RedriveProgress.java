package dev.sluice.core.redrive;

/**
 * Where a redrive stands.
 *
 * @param scanned dead letters looked at
 * @param matched dead letters the filter selected
 * @param moved copies sent and originals removed (0 in a dry run)
 * @param failed dead letters that could not be moved and stay in the queue
 * @param limit the request's maximum
 */
public record RedriveProgress(int scanned, int matched, int moved, int failed, int limit) {}
