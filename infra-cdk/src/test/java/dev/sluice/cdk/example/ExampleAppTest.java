package dev.sluice.cdk.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;

/** The example app: what `cdk synth` produces, and what it says when the jar is missing. */
class ExampleAppTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void stack_failsWithBuildInstructions_whenTheLambdaJarIsMissing() {
        // GIVEN an app pointing at a jar that was never built
        Path missing = dir.resolve("functions-aws-lambda.jar");
        App app = App.Builder.create().context(Map.of(ExampleApp.LAMBDA_JAR_CONTEXT, missing.toString())).build();

        // WHEN / THEN
        assertThatThrownBy(() -> ExampleApp.stack(app))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("./mvnw -B -ntp -pl functions-aws -am package -DskipTests")
                .hasMessageContaining("-c sluice:lambdaJar=<path>");
    }

    @Test
    void stack_deploysTheExampleFunction_fromTheJar_withOutputsForOperators() throws IOException {
        // GIVEN a built deployment jar
        Path jar = dir.resolve("functions-aws-lambda.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("stand-in.txt"));
            out.closeEntry();
        }
        App app = App.Builder.create().outdir(dir.resolve("cdk.out").toString())
                .context(Map.of(ExampleApp.LAMBDA_JAR_CONTEXT, jar.toString())).build();

        // WHEN
        Stack stack = ExampleApp.stack(app);
        JsonNode template = JSON.valueToTree(app.synth().getStackByName(stack.getStackName()).getTemplate());

        // THEN
        assertThat(stack.getStackName()).isEqualTo("SluiceOrderEvents");
        JsonNode function = template.findParents("Handler").get(0);
        assertThat(function.path("Handler").asText()).isEqualTo("dev.sluice.aws.example.OrderEventsFunction::handleRequest");
        assertThat(function.at("/Code/S3Key").asText()).endsWith(".jar");
        assertThat(template.findValuesAsText("QueueName")).contains("order-events", "order-events-dlq");
        assertThat(template.path("Outputs").fieldNames()).toIterable().containsExactlyInAnyOrder("QueueUrl",
                "DeadLetterQueueUrl", "DeadLetterQueueArn", "IdempotencyTableName", "RedriveRoleArn", "AlarmTopicArn", "DashboardName");
    }

    @Test
    void cdkJson_pointsAtTheDefaultJar_andRunsThisClass() throws IOException {
        JsonNode cdkJson = JSON.readTree(Path.of("cdk.json").toFile());

        assertThat(cdkJson.path("app").asText()).endsWith(ExampleApp.class.getName());
        assertThat(cdkJson.at("/context").path(ExampleApp.LAMBDA_JAR_CONTEXT).asText())
                .isEqualTo(ExampleApp.DEFAULT_LAMBDA_JAR);
    }
}
