package dev.sluice.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.sqs.CfnQueue;

/**
 * The apps of these tests (and cdk.json) set {@code @aws-cdk/core:validateAgainstDefaultRules}:
 * CloudFormation's own template rules then fail synthesis instead of printing warnings.
 */
class CloudFormationValidationTest {

    @Test
    void synthesis_failsOnATemplateError_whenValidationIsEnabled() {
        // GIVEN a raw queue whose visibility timeout exceeds SQS's 12-hour maximum
        App app = CdkTestSupport.validatingApp();
        CfnQueue.Builder.create(new Stack(app, "Broken"), "Queue").visibilityTimeout(50_000).build();

        // WHEN synthesizing THEN CloudFormation validation stops it, and the report names the property
        assertThatThrownBy(app::synth).hasMessageContaining("Validation failed");
        JsonNode report = CdkTestSupport.json(Path.of(app.getOutdir(), "validation-report.json"));
        assertThat(report.findValues("description")).extracting(JsonNode::asText)
                .anySatisfy(d -> assertThat(d).contains("VisibilityTimeout", "43200"));
    }

    @Test
    void withoutTheFlag_theSameErrorIsOnlyAWarning() {
        // GIVEN the same broken queue in an app that does not set the flag
        App app = App.Builder.create().outdir(CdkTestSupport.tempDir("cdk-out-").toString()).build();
        CfnQueue.Builder.create(new Stack(app, "Broken"), "Queue").visibilityTimeout(50_000).build();

        // WHEN synthesizing THEN it succeeds: this is why cdk.json and the tests enable the flag
        assertThat(app.synth().getStacks()).hasSize(1);
    }

    @Test
    void consumerStack_passesCloudFormationValidation_withoutFindings() {
        // GIVEN a consumer with default settings
        App app = CdkTestSupport.validatingApp();
        QueueConsumer.builder(new Stack(app, "Consumer"), "Orders")
                .queueName("orders")
                .code(CdkTestSupport.lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .build();

        // WHEN synthesizing
        String outdir = app.synth().getDirectory();

        // THEN the validation report lists no finding of any severity
        JsonNode report = CdkTestSupport.json(Path.of(outdir, "validation-report.json"));
        List<String> findings = new ArrayList<>();
        report.findValues("violations").forEach(list -> list.forEach(v -> findings.add(v.toString())));
        assertThat(findings).isEmpty();
    }

    @Test
    void cdkJson_enablesValidation() {
        JsonNode cdkJson = CdkTestSupport.json(Path.of("cdk.json"));
        assertThat(cdkJson.at("/context").path(CdkTestSupport.VALIDATE_AGAINST_DEFAULT_RULES).asBoolean()).isTrue();
    }
}
