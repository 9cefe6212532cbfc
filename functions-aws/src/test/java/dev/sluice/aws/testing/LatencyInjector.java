package dev.sluice.aws.testing;

import java.time.Duration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Adds a fixed delay before each request is sent: a network round trip, on a loopback engine. */
public final class LatencyInjector implements ExecutionInterceptor {
    private final Duration latency;

    /** @param latency the delay per request */
    public LatencyInjector(Duration latency) {
        this.latency = latency;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        try {
            Thread.sleep(latency.toMillis(), (int) (latency.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
