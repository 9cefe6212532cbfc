package com.example.orders.infra;

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
 * The CDK app of {@code cdk.json}: the stack {@value #STACK_NAME} with the {@code order-events} queue, its
 * dead-letter queue, the idempotency table, the function built by {@code ../pom.xml}, alarms and a dashboard,
 * all made by Sluice's {@link QueueConsumer} construct.
 *
 * <p>Context values ({@code cdk synth -c key=value}): {@value #LAMBDA_JAR_CONTEXT}, the deployment jar
 * (default {@value #DEFAULT_LAMBDA_JAR}, relative to this folder).
 */
public final class OrderEventsApp {

    /** The stack's name. */
    public static final String STACK_NAME = "OrderEvents";
    /** The context key naming the Lambda deployment jar. */
    public static final String LAMBDA_JAR_CONTEXT = "orders:lambdaJar";
    /** Where {@code mvn package} in the parent folder writes the deployment jar. */
    public static final String DEFAULT_LAMBDA_JAR = "../target/aws-order-events-lambda.jar";
    /** The function Lambda runs. */
    public static final String HANDLER = "com.example.orders.OrderEventsFunction::handleRequest";

    private OrderEventsApp() {
    }

    /**
     * Synthesizes the app into the CDK CLI's output directory.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        App app = new App();
        stack(app);
        app.synth();
    }

    /**
     * Adds the order-events stack to {@code app}.
     *
     * @param app the CDK app
     * @return the stack
     * @throws IllegalStateException if the deployment jar has not been built
     */
    public static Stack stack(App app) {
        Object configured = app.getNode().tryGetContext(LAMBDA_JAR_CONTEXT);
        Path jar = Path.of(configured == null ? DEFAULT_LAMBDA_JAR : configured.toString()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The Lambda deployment jar " + jar + " does not exist. Build it first with "
                    + "`mvn -B package -DskipTests` in the folder above infra/, or point to another jar with `-c "
                    + LAMBDA_JAR_CONTEXT + "=<path>`.");
        }
        Stack stack = new Stack(app, STACK_NAME, StackProps.builder()
                .description("Order events: an SQS consumer on Lambda with Sluice (DLQ, idempotency table, alarms)")
                .build());
        // the settings QueueConsumer checks against each other: visibility timeout >= 6 x timeout, maxReceiveCount
        // above the retry attempts, idempotency TTL >= DLQ retention + redrive window
        QueueConsumer consumer = QueueConsumer.builder(stack, "OrderEvents")
                .queueName("order-events")
                .code(Code.fromAsset(jar.toString()))
                .handler(HANDLER)
                .memorySize(1024)
                .timeout(Duration.seconds(30))
                .batchSize(10)
                .maxConcurrency(10)
                .maxRetryAttempts(3)
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
