package dev.sluice.cdk;

import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.lambda.Code;

/**
 * The app of this module's {@code cdk.json}, for {@link CdkCliSynthIT} and {@link QueueConsumerNagTest}: one
 * {@link QueueConsumer} as a user's app has it (the user-facing app is {@code examples/aws-order-events/infra}).
 * The deployment jar comes from the context value {@value #LAMBDA_JAR_CONTEXT}.
 */
public final class SynthCheckApp {

    static final String STACK_NAME = "SluiceSynthCheck";
    static final String LAMBDA_JAR_CONTEXT = "sluice:lambdaJar";
    static final String HANDLER = "com.example.orders.OrderEventsFunction::handleRequest";

    private SynthCheckApp() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        App app = new App();
        stack(app);
        app.synth();
    }

    static Stack stack(App app) {
        Object configured = app.getNode().tryGetContext(LAMBDA_JAR_CONTEXT);
        if (configured == null || !Files.isRegularFile(Path.of(configured.toString()))) {
            throw new IllegalStateException("pass a jar: -c " + LAMBDA_JAR_CONTEXT + "=<path>");
        }
        Stack stack = new Stack(app, STACK_NAME);
        QueueConsumer.builder(stack, "OrderEvents")
                .queueName("order-events")
                .code(Code.fromAsset(configured.toString()))
                .handler(HANDLER)
                .memorySize(1024)
                .timeout(Duration.seconds(30))
                .batchSize(10)
                .maxConcurrency(10)
                .build();
        return stack;
    }
}
