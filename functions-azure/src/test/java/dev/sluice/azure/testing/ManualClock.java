package dev.sluice.azure.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand; thread-safe. */
public final class ManualClock extends Clock {
    private volatile Instant now;

    /** @param start the initial time */
    public ManualClock(Instant start) {
        this.now = start;
    }

    /** @param duration how far to move forward */
    public synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    /** @param time the new time (never earlier than now) */
    public synchronized void advanceTo(Instant time) {
        if (time.isAfter(now)) {
            now = time;
        }
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
