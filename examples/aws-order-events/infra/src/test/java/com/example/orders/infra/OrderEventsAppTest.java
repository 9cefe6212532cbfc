package com.example.orders.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The stack {@code cdk synth} writes, checked with the CDK's own assertions. */
class OrderEventsAppTest {

    @TempDir
    static Path dir;

    private static Template template;

    @BeforeAll
    static void synthesize() throws IOException {
        // GIVEN a deployment jar (a stand-in: the template only names its asset)
        Path jar = dir.resolve("aws-order-events-lambda.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("stand-in.txt"));
            out.closeEntry();
        }
        App app = App.Builder.create().outdir(dir.resolve("cdk.out").toString())
                .context(Map.of(OrderEventsApp.LAMBDA_JAR_CONTEXT, jar.toString(),
                        "@aws-cdk/core:validateAgainstDefaultRules", true))
                .build();

        // WHEN the app's stack is synthesized
        template = Template.fromStack(OrderEventsApp.stack(app));
    }

    @Test
    void theStack_hasTheQueue_andItsDeadLetterQueue() {
        Capture dlqArn = new Capture();
        template.hasResourceProperties("AWS::SQS::Queue", Map.of("QueueName", "order-events-dlq"));
        template.hasResourceProperties("AWS::SQS::Queue", Map.of(
                "QueueName", "order-events",
                "RedrivePolicy", Map.of("deadLetterTargetArn", dlqArn, "maxReceiveCount", Match.anyValue())));
        assertThat(dlqArn.asObject()).containsKey("Fn::GetAtt");
    }

    @Test
    void theFunction_runsThisProjectsHandler_onJava21_fromTheJar() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "com.example.orders.OrderEventsFunction::handleRequest",
                "Runtime", "java21",
                "Code", Map.of("S3Key", Match.stringLikeRegexp(".*\\.jar")),
                "Environment", Map.of("Variables", Match.objectLike(Map.of("QUEUE_NAME", "order-events")))));
    }

    @Test
    void theQueue_triggersTheFunction_withPartialBatchResponses() {
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "BatchSize", 10,
                "FunctionResponseTypes", List.of("ReportBatchItemFailures")));
        template.resourceCountIs("AWS::DynamoDB::Table", 1);
    }

    @Test
    void theStack_tellsOperatorsWhereThingsAre() {
        assertThat(template.findOutputs("*").keySet()).containsExactlyInAnyOrder("QueueUrl", "DeadLetterQueueUrl",
                "DeadLetterQueueArn", "IdempotencyTableName", "RedriveRoleArn", "AlarmTopicArn", "DashboardName");
    }

    @Test
    void withoutTheJar_synthFailsWithBuildInstructions() {
        Path missing = dir.resolve("never-built.jar");
        App app = App.Builder.create().context(Map.of(OrderEventsApp.LAMBDA_JAR_CONTEXT, missing.toString())).build();

        assertThatThrownBy(() -> OrderEventsApp.stack(app))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("mvn -B package -DskipTests")
                .hasMessageContaining("-c orders:lambdaJar=<path>");
    }
}
