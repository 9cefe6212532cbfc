package dev.sluice.cdk;

/**
 * How the consumer function is traced ({@link QueueConsumer.Builder#tracing(ConsumerTracing)}).
 * Sluice's own spans go through the OpenTelemetry API, which is a no-op without an SDK: only
 * {@link #ADOT} brings one, so only ADOT shows Sluice's per-batch and per-message spans.
 */
public enum ConsumerTracing {
    /** No tracing (the default). */
    NONE,
    /**
     * AWS X-Ray active tracing: the function's TracingConfig is {@code Active} and its role may
     * call {@code xray:PutTraceSegments} and {@code xray:PutTelemetryRecords}. Lambda records one
     * segment per invocation; Sluice's OpenTelemetry spans are not exported.
     */
    XRAY,
    /**
     * AWS Distro for OpenTelemetry: the ADOT Java Lambda layer you name with
     * {@link QueueConsumer.Builder#adotLayerArn(String)} (an arm64 build, from the same region) is
     * added, {@code AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler} is set (an {@code environment} entry
     * of the same name wins, e.g. {@code /opt/otel-instrument} for the newer
     * AWSOpenTelemetryDistroJava layers), and X-Ray active tracing is on as for {@link #XRAY}, since
     * the layer's collector exports to X-Ray by default.
     */
    ADOT
}
