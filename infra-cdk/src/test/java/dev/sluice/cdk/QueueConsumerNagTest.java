package dev.sluice.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cdk.CdkTestSupport.Res;
import dev.sluice.cdk.CdkTestSupport.Tpl;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.sns.Topic;

/**
 * cdk-nag's AWS Solutions pack over the example stack and a FIFO consumer with its own alarm
 * topic: no unsuppressed error or warning, and every suppression is justified and documented.
 */
class QueueConsumerNagTest {

    private static final Path DEPLOY_DOC = Path.of("..", "docs", "deploy.md");

    private static Stack example;
    private static Stack fifoWithOwnTopic;
    private static Stack traced;
    private static Stack claimCheck;
    private static CloudAssembly assembly;

    @BeforeAll
    static void synthesizeWithNag() {
        // GIVEN the cdk.json app's stack and a FIFO consumer that brings its own alarm topic
        App app = CdkTestSupport.validatingApp(
                Map.of(SynthCheckApp.LAMBDA_JAR_CONTEXT, CdkTestSupport.lambdaJar().toString()));
        example = SynthCheckApp.stack(app);
        fifoWithOwnTopic = new Stack(app, "FifoOwnTopic");
        QueueConsumer.builder(fifoWithOwnTopic, "Payments")
                .queueName("payments")
                .fifo(true)
                .code(CdkTestSupport.lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .alarmTopic(Topic.fromTopicArn(fifoWithOwnTopic, "OnCall",
                        "arn:aws:sns:eu-west-1:123456789012:on-call"))
                .build();
        traced = new Stack(app, "Traced");
        QueueConsumer.builder(traced, "Orders")
                .queueName("orders")
                .code(CdkTestSupport.lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .tracing(ConsumerTracing.ADOT)
                .adotLayerArn("arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-java-wrapper-arm64-ver-1-32-0:5")
                .build();
        claimCheck = new Stack(app, "ClaimCheck");
        QueueConsumer.builder(claimCheck, "Orders")
                .queueName("orders")
                .code(CdkTestSupport.lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .signingKeysSecret(Secret.fromSecretCompleteArn(claimCheck, "Keys",
                        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sluice/signing-keys-AbCdEf"))
                .payloadStore(true)
                .build();
        // WHEN the AWS Solutions checks run during synthesis
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        assembly = app.synth();
    }

    @Test
    @SuppressWarnings("deprecation") // Annotations.find* still return cxapi.SynthesisMessage
    void awsSolutionsChecks_reportNoUnsuppressedErrorsOrWarnings() {
        for (Stack stack : List.of(example, fifoWithOwnTopic, traced, claimCheck)) {
            List<SynthesisMessage> errors = Annotations.fromStack(stack)
                    .findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
            List<SynthesisMessage> warnings = Annotations.fromStack(stack)
                    .findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));

            assertThat(describe(errors)).as("cdk-nag errors in %s", stack.getStackName()).isEmpty();
            assertThat(describe(warnings)).as("cdk-nag warnings in %s", stack.getStackName()).isEmpty();
        }
    }

    @Test
    void everySuppression_isJustified_andListedInTheDeployGuide() throws IOException {
        // THEN exactly the one accepted finding is suppressed, each with a real reason
        List<String> suppressed = new ArrayList<>();
        Tpl template = CdkTestSupport.template(assembly, example.getStackName());
        String guide = Files.readString(DEPLOY_DOC);
        for (String type : List.of("AWS::Lambda::Function", "AWS::SNS::Topic", "AWS::SQS::Queue",
                "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::DynamoDB::Table", "AWS::SNS::TopicPolicy")) {
            for (Res resource : template.resources(type)) {
                for (JsonNode rule : resource.node().at("/Metadata/cdk_nag/rules_to_suppress")) {
                    String id = rule.path("id").asText();
                    suppressed.add(type + " " + id);
                    assertThat(rule.path("reason").asText()).as("reason for %s", id).hasSizeGreaterThan(80);
                    assertThat(guide).as("docs/deploy.md lists %s", id).contains(id);
                }
            }
        }
        assertThat(suppressed).containsExactly("AWS::Lambda::Function AwsSolutions-L1");
    }

    @Test
    void tracing_suppressesOnlyTheXrayWildcard_andTheDeployGuideListsIt() throws IOException {
        Tpl template = CdkTestSupport.template(assembly, traced.getStackName());
        String guide = Files.readString(DEPLOY_DOC);
        List<String> suppressed = new ArrayList<>();
        for (Res role : template.resources("AWS::IAM::Role")) {
            for (JsonNode rule : role.node().at("/Metadata/cdk_nag/rules_to_suppress")) {
                suppressed.add(rule.path("id").asText() + " " + rule.path("applies_to"));
                assertThat(rule.path("reason").asText()).hasSizeGreaterThan(80);
                assertThat(guide).contains(rule.path("id").asText()).contains("xray:PutTraceSegments");
            }
        }
        assertThat(suppressed).containsExactly("AwsSolutions-IAM5 [\"Resource::*\"]");
    }

    @Test
    void payloadStore_suppressesOnlyTheBucketsAccessLogs_andItsObjectWildcard_andTheDeployGuideListsThem()
            throws IOException {
        Tpl template = CdkTestSupport.template(assembly, claimCheck.getStackName());
        String guide = Files.readString(DEPLOY_DOC);
        List<String> suppressed = new ArrayList<>();
        template.root().path("Resources").properties().forEach(e -> {
            for (JsonNode rule : e.getValue().at("/Metadata/cdk_nag/rules_to_suppress")) {
                String id = rule.path("id").asText();
                suppressed.add(e.getValue().path("Type").asText() + " " + id + " " + rule.path("applies_to"));
                assertThat(rule.path("reason").asText()).as("reason for %s", id).hasSizeGreaterThan(80);
                assertThat(guide).as("docs/deploy.md lists %s", id).contains(id);
            }
        });
        assertThat(guide).contains("claim-check bucket");
        // the object wildcard only: the policy's one statement is get and delete on <bucket ARN>/*
        assertThat(suppressed).containsExactlyInAnyOrder(
                "AWS::Lambda::Function AwsSolutions-L1 ",
                "AWS::S3::Bucket AwsSolutions-S1 ",
                "AWS::IAM::Policy AwsSolutions-IAM5 [{\"regex\":\"/^Resource::.+\\\\/\\\\*$/\"}]");
    }

    @Test
    void ownAlarmTopic_isUsedInsteadOfANewOne() {
        Tpl template = CdkTestSupport.template(assembly, fifoWithOwnTopic.getStackName());

        assertThat(template.resources("AWS::SNS::Topic")).isEmpty();
        assertThat(template.resources("AWS::CloudWatch::Alarm")).allSatisfy(alarm ->
                assertThat(alarm.prop("/AlarmActions/0").asText()).endsWith(":on-call"));
    }

    @SuppressWarnings("deprecation")
    private static List<String> describe(List<SynthesisMessage> messages) {
        return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
    }
}
