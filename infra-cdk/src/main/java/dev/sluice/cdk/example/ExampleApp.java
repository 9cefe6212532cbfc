package dev.sluice.cdk.example;

import dev.sluice.cdk.QueueConsumer;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.lambda.Code;

/**
 * The example app of {@code cdk.json}: deploys the example order-events consumer of
 * {@code functions-aws} as the stack {@value #STACK_NAME}.
 *
 * <p>Context values ({@code cdk synth -c key=value}): {@value #LAMBDA_JAR_CONTEXT}, the deployment
 * jar (default {@value #DEFAULT_LAMBDA_JAR}, relative to this module).
 */
public final class ExampleApp {

    /** The stack's name. */
    public static final String STACK_NAME = "SluiceOrderEvents";
    /** The context key naming the Lambda deployment jar. */
    public static final String LAMBDA_JAR_CONTEXT = "sluice:lambdaJar";
    /** Where {@code ./mvnw -pl functions-aws -am package} writes the shaded deployment jar. */
    public static final String DEFAULT_LAMBDA_JAR = "../functions-aws/target/functions-aws-lambda.jar";
    /** The example function's handler. */
    public static final String HANDLER = "dev.sluice.aws.example.OrderEventsFunction::handleRequest";

    private ExampleApp() {
    }

    /** Synthesizes the example app into the CDK CLI's output directory. */
    public static void main(String[] args) {
        App app = new App();
        stack(app);
        app.synth();
    }

    /**
     * Adds the example stack to {@code app}.
     *
     * @throws IllegalStateException if the deployment jar has not been built
     */
    public static Stack stack(App app) {
        Object configured = app.getNode().tryGetContext(LAMBDA_JAR_CONTEXT);
        Path jar = Path.of(configured == null ? DEFAULT_LAMBDA_JAR : configured.toString()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The Lambda deployment jar " + jar + " does not exist. Build it first "
                    + "with `./mvnw -B -ntp -pl functions-aws -am package -DskipTests` from the repository root, "
                    + "or point to another jar with `-c " + LAMBDA_JAR_CONTEXT + "=<path>`.");
        }
        Stack stack = new Stack(app, STACK_NAME, StackProps.builder()
                .description("Sluice example: the order-events SQS consumer with its DLQ, idempotency table and alarms")
                .build());
        QueueConsumer consumer = QueueConsumer.builder(stack, "OrderEvents")
                .queueName("order-events")
                .code(Code.fromAsset(jar.toString()))
                .handler(HANDLER)
                .memorySize(1024)
                .timeout(Duration.seconds(30))
                .batchSize(10)
                .maxConcurrency(10)
                .build();
        output(stack, "QueueUrl", consumer.queue().getQueueUrl(), "Send order events here");
        output(stack, "DeadLetterQueueUrl", consumer.deadLetterQueue().getQueueUrl(), "Dead letters");
        output(stack, "DeadLetterQueueArn", consumer.deadLetterQueue().getQueueArn(), "Source of a DLQ redrive (message move task)");
        output(stack, "IdempotencyTableName", consumer.idempotencyTable().getTableName(), "Idempotency records");
        output(stack, "RedriveRoleArn", consumer.redriveRole().getRoleArn(), "Assume this role to redrive the DLQ");
        output(stack, "AlarmTopicArn", consumer.alarmTopic().getTopicArn(), "Subscribe on-call to this topic");
        output(stack, "DashboardName", consumer.dashboard().getDashboardName(), "CloudWatch dashboard");
        return stack;
    }

    private static void output(Stack stack, String id, String value, String description) {
        CfnOutput.Builder.create(stack, id).value(value).description(description).build();
    }
}
