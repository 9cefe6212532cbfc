package dev.sluice.aws.bench;

import dev.sluice.aws.local.MotoServer;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Tables;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Cold start: time from JVM start to the first handled batch (10 new orders, idempotency on moto),
 * for the test function on a shaded jar of functions-aws ({@code target/bench-lambda.jar}) and for the same function
 * built with Powertools 1.15.0 (AspectJ-woven {@code @Idempotent}, on a classpath of exactly its own
 * dependencies), each in fresh JVMs, alternating, with the JVM flags Lambda's Java runtime uses by default
 * ({@code -XX:+TieredCompilation -XX:TieredStopAtLevel=1}). Also prints the shaded jar's size.
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl functions-aws package exec:exec -DskipTests -Dbench=ColdStartBenchmark}
 */
public final class ColdStartBenchmark {
    /** Jars the Powertools function needs: Powertools, AspectJ runtime, Lambda libraries, Jackson, AWS SDK. */
    private static final List<String> POWERTOOLS_JARS = List.of("/software/amazon/lambda/", "/io/burt/", "/org/aspectj/aspectjrt/",
            "/com/amazonaws/aws-lambda-java-core/", "/com/amazonaws/aws-lambda-java-events/", "/com/fasterxml/jackson/", "/software/amazon/awssdk/", "/software/amazon/eventstream/",
            "/org/reactivestreams/", "/org/slf4j/slf4j-api/", "/org/apache/logging/log4j/log4j-api/");

    private ColdStartBenchmark() {}

    /** @param args none; {@code -Dbench.rounds=N} sets the runs per side (default 7) @throws Exception on failure */
    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("bench.rounds", 0) > 0 ? Integer.getInteger("bench.rounds") : 7;
        Path jar = Path.of("target", "bench-lambda.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the shaded jar first: ./mvnw -pl functions-aws package -DskipTests -Dbench=ColdStartBenchmark");
        }
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        String[] classpath = System.getProperty("java.class.path").split(File.pathSeparator);
        // what the Lambda Java runtime itself provides: its event serialization (which loads Joda-Time)
        String runtime = Arrays.stream(classpath).filter(p -> p.contains("aws-lambda-java-serialization") || p.contains("/joda-time/"))
                .collect(Collectors.joining(File.pathSeparator));
        String sluiceClasspath = String.join(File.pathSeparator, jar.toAbsolutePath().toString(), testClasses, runtime);
        List<String> powertoolsJars = Arrays.stream(classpath).filter(p -> POWERTOOLS_JARS.stream().anyMatch(p::contains)).toList();
        String powertoolsClasspath = String.join(File.pathSeparator, testClasses, runtime, String.join(File.pathSeparator, powertoolsJars));

        try (MotoServer engine = MotoServer.start(Engines.motoExecutable()); DynamoDbClient setup = AwsTestClients.dynamoDb(engine.endpoint())) {
            String table = Tables.create(setup, "coldstart");
            Map<String, String> env = Map.of(
                    "QUEUE_NAME", "order-events",
                    "IDEMPOTENCY_TABLE", table,
                    "SLUICE_IDEMPOTENCY_KEY_POINTER", "/orderId",
                    "AWS_LAMBDA_FUNCTION_NAME", "order-events",
                    "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "test",
                    "AWS_SECRET_ACCESS_KEY", "test",
                    "AWS_ENDPOINT_URL_DYNAMODB", engine.endpoint().toString(),
                    "AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:1");
            Stats sluice = new Stats();
            Stats powertools = new Stats();
            Stats sluiceProcess = new Stats();
            Stats powertoolsProcess = new Stats();
            for (int i = 0; i < runs + 1; i++) {
                boolean measure = i > 0; // the first round warms the OS page cache for both
                run(sluiceClasspath, "dev.sluice.aws.testing.OrderEventsFunction", "sluice-" + i, env, measure ? sluice : null,
                        measure ? sluiceProcess : null);
                run(powertoolsClasspath, "dev.sluice.aws.powertools.PowertoolsOrderEventsFunction", "powertools-" + i, env,
                        measure ? powertools : null, measure ? powertoolsProcess : null);
            }
            int records = Tables.count(setup, table);
            System.out.printf(Locale.ROOT, "shaded jar %s: %.2f MB (%d bytes)%n", jar, Files.size(jar) / 1024.0 / 1024.0, Files.size(jar));
            System.out.println("JVM start to first batch, Sluice shaded jar:   " + sluice);
            System.out.println("JVM start to first batch, Powertools 1.15.0:   " + powertools);
            System.out.printf(Locale.ROOT, "Sluice/Powertools (medians) = %.3f%n", sluice.median() / powertools.median());
            System.out.println("whole process (spawn to exit), Sluice:         " + sluiceProcess);
            System.out.println("whole process (spawn to exit), Powertools:     " + powertoolsProcess);
            System.out.println("idempotency records written: " + records + " (expected " + (runs + 1) * 2 * 10 + ")");
        }
    }

    private static void run(String classpath, String function, String prefix, Map<String, String> env, Stats firstBatch, Stats process)
            throws IOException, InterruptedException {
        Path event = Files.createTempFile("sqs-event", ".json");
        Files.writeString(event, BenchEvents.ordersJson(prefix, 10), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx512m",
                "-cp", classpath, "dev.sluice.aws.bench.ColdStartRunner", function, event.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        long spawned = System.nanoTime();
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = child.waitFor();
        double wall = (System.nanoTime() - spawned) / 1e6;
        Files.deleteIfExists(event);
        String result = output.lines().filter(l -> l.startsWith("COLDSTART_MS")).collect(Collectors.joining());
        if (exit != 0 || result.isEmpty() || !result.endsWith("FAILURES 0")) {
            throw new IllegalStateException(function + " failed (exit " + exit + "):\n" + output);
        }
        if (firstBatch != null) {
            firstBatch.add(Double.parseDouble(result.split(" ")[1]));
            process.add(wall);
        }
    }
}
