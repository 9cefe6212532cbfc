package dev.sluice.aws.bench;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The child process of {@link ColdStartBenchmark}: does what the Lambda Java runtime does on a cold
 * start — load the handler class, construct it, read the SQS event JSON with
 * {@code aws-lambda-java-serialization}, invoke — then prints the time from JVM (process) start to the
 * first handled batch. Uses no Sluice class itself, so both sides load only what their function needs.
 */
public final class ColdStartRunner {
    private ColdStartRunner() {}

    /**
     * @param args handler class name, path of the event JSON
     * @throws Exception on any failure (the benchmark then reports it)
     */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Class<?> type = Class.forName(args[0]);
        RequestHandler<SQSEvent, SQSBatchResponse> handler =
                (RequestHandler<SQSEvent, SQSBatchResponse>) type.getConstructor().newInstance();
        String json = Files.readString(Path.of(args[1]));
        SQSEvent event = LambdaEventSerializers.serializerFor(SQSEvent.class, ColdStartRunner.class.getClassLoader()).fromJson(json);
        SQSBatchResponse response = handler.handleRequest(event, new BenchContext());
        Instant done = Instant.now();
        Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
        System.out.println("COLDSTART_MS " + Duration.between(started, done).toMillis() + " FAILURES "
                + response.getBatchItemFailures().size());
        System.exit(0);
    }
}
