package dev.sluice.core.benchmark;

import dev.sluice.core.MessageHandler;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.IncomingMessage;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The pipeline's own cost per message: a no-op handler on batches of {@value #BATCH} ungrouped messages,
 * through {@link BatchProcessor} without idempotency and with the in-memory store, against a bare decode
 * plus handler call. The score is wall time per message; each iteration also prints the process's CPU
 * time per message ({@code cpu/msg}), which counts every thread the pipeline starts (and the JIT and GC).
 *
 * <p>Run: see docs/benchmarks.md, "Core pipeline".
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@OperationsPerInvocation(PipelineBenchmark.BATCH)
@State(Scope.Benchmark)
public class PipelineBenchmark {
    static final int BATCH = 10;
    private static final String QUEUE = "bench";
    private static final Duration INVOCATION = Duration.ofMinutes(5);

    /** The decoded body. */
    public record Order(String orderId, long amountCents) {}

    @Param({"none", "in-memory"})
    public String idempotency;

    private final AtomicLong batches = new AtomicLong();
    private final MessageHandler<Order> noOp = (message, context) -> { };
    private final JsonCodec<Order> codec = JsonCodec.of(Order.class);
    private BatchProcessor<Order> processor;
    private long sequence;
    private long cpuAtStart;

    /** A new processor (and store) every iteration, so the store does not grow for the whole run. */
    @Setup(Level.Iteration)
    public void build() {
        BatchProcessor.Builder<Order> builder = BatchProcessor.<Order>builder().queueName(QUEUE).handler(noOp)
                .codec(codec).logSink(event -> { });
        if (idempotency.equals("in-memory")) {
            builder.idempotency(IdempotencyOptions.builder().store(new InMemoryIdempotencyStore()).build());
        }
        processor = builder.build();
    }

    @Setup(Level.Iteration)
    public void startCpu() {
        batches.set(0);
        cpuAtStart = processCpuNanos();
    }

    @TearDown(Level.Iteration)
    public void reportCpu() {
        long messages = batches.get() * BATCH;
        if (messages > 0) {
            System.out.printf("cpu/msg %.3f us (%s, %d messages)%n",
                    (processCpuNanos() - cpuAtStart) / 1000.0 / messages, idempotency, messages);
        }
    }

    /** Fresh ids every batch, so the in-memory store begins and completes a new record each time. */
    private List<IncomingMessage> nextBatch() {
        List<IncomingMessage> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            long n = sequence++;
            batch.add(IncomingMessage.builder().providerMessageId("m-" + n)
                    .body("{\"orderId\":\"o-" + n + "\",\"amountCents\":" + n + "}")
                    .sourceQueue(QUEUE).build());
        }
        return batch;
    }

    @Benchmark
    public BatchResult pipeline() {
        List<IncomingMessage> batch = nextBatch();
        batches.incrementAndGet();
        // a Lambda-like invocation with minutes left, so the handler's time limit is in force
        return processor.process(batch, Instant.now().plus(INVOCATION));
    }

    /** The floor: building the same messages, decoding each body and calling the handler. */
    @Benchmark
    public void bareDecodeAndCall(Blackhole blackhole) throws Exception {
        List<IncomingMessage> batch = nextBatch();
        batches.incrementAndGet();
        for (IncomingMessage message : batch) {
            Order order = codec.decode(message.body(), Map.of());
            noOp.handle(dev.sluice.core.Message.of(message, order), null);
            blackhole.consume(order);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
