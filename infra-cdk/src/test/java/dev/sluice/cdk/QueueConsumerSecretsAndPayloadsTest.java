package dev.sluice.cdk;

import static dev.sluice.cdk.CdkTestSupport.lambdaCode;
import static dev.sluice.cdk.CdkTestSupport.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cdk.CdkTestSupport.Res;
import dev.sluice.cdk.CdkTestSupport.Tpl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketAttributes;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretAttributes;

/**
 * The signing keys in Secrets Manager and the S3 claim-check store, read from synthesized templates:
 * the variables the function gets, what its role may do, and the bucket the construct creates.
 */
class QueueConsumerSecretsAndPayloadsTest {

    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sluice/signing-keys-AbCdEf";
    private static final String SECRET_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-22bb-33cc-44dd-555555eeeeee";
    private static final String BUCKET_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/6666ffff-77aa-88bb-99cc-000000dddddd";

    /** The account and region of the imported secret, key and bucket: grants on imported keys need them. */
    private static final Environment ACCOUNT = Environment.builder().account("123456789012").region("eu-west-1").build();

    private static Tpl importedSecret;
    private static Tpl createdSecret;
    private static Tpl claimCheck;
    private static Tpl ownBucket;
    private static Tpl plain;

    @BeforeAll
    static void synthesizeOnce() {
        // GIVEN consumers with an imported KMS-encrypted secret, a secret of the stack, a created payload
        // bucket (with a producer granted put), a user's encrypted bucket, and neither
        App app = CdkTestSupport.validatingApp();
        Stack imported = new Stack(app, "ImportedSecret", StackProps.builder().env(ACCOUNT).build());
        consumer(imported).signingKeysSecret(Secret.fromSecretAttributes(imported, "Keys", SecretAttributes.builder()
                .secretCompleteArn(SECRET_ARN)
                .encryptionKey(Key.fromKeyArn(imported, "KeysKey", SECRET_KEY_ARN))
                .build())).build();
        Stack created = new Stack(app, "CreatedSecret");
        consumer(created).signingKeysSecret(new Secret(created, "Keys")).build();
        Stack claim = new Stack(app, "ClaimCheck");
        QueueConsumer consumer = consumer(claim).payloadStore(true).build();
        Role producer = Role.Builder.create(claim, "Producer").assumedBy(new AccountRootPrincipal())
                .description("producer").build();
        assertThat(consumer.payloadBucket()).isNotNull();
        consumer.payloadBucket().grantPut(producer);
        Stack own = new Stack(app, "OwnBucket");
        consumer(own).payloadBucket(Bucket.fromBucketAttributes(own, "Payloads", BucketAttributes.builder()
                        .bucketName("acme-payloads")
                        .encryptionKey(Key.fromKeyArn(own, "PayloadKey", BUCKET_KEY_ARN))
                        .build()))
                .deletePayloadsAfterSuccess(false)
                .build();
        Stack none = new Stack(app, "Plain");
        QueueConsumer withoutStore = consumer(none).build();
        assertThat(withoutStore.payloadBucket()).isNull();

        // WHEN
        CloudAssembly assembly = app.synth();
        importedSecret = template(assembly, "ImportedSecret");
        createdSecret = template(assembly, "CreatedSecret");
        claimCheck = template(assembly, "ClaimCheck");
        ownBucket = template(assembly, "OwnBucket");
        plain = template(assembly, "Plain");
    }

    private static QueueConsumer.Builder consumer(Stack stack) {
        return QueueConsumer.builder(stack, "Orders").queueName("orders").code(lambdaCode())
                .handler("com.example.Fn::handleRequest");
    }

    @Test
    void signingKeysSecret_isNamedInTheEnvironment_byItsArn() {
        assertThat(env(importedSecret).path("SLUICE_SIGNING_KEYS").asText()).isEqualTo("aws-secretsmanager:" + SECRET_ARN);

        // a secret of the stack: its ARN is the secret's Ref
        Res secret = createdSecret.only("AWS::SecretsManager::Secret");
        JsonNode join = env(createdSecret).path("SLUICE_SIGNING_KEYS").at("/Fn::Join/1");
        assertThat(join.get(0).asText()).isEqualTo("aws-secretsmanager:");
        assertThat(join.get(1)).isEqualTo(secret.ref());
    }

    @Test
    void signingKeysSecret_canBeRead_andDecryptedThroughSecretsManagerOnly() {
        List<JsonNode> statements = functionStatements(importedSecret);

        JsonNode read = statementOn(statements, SECRET_ARN);
        assertThat(actions(read)).containsExactlyInAnyOrder("secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret");
        JsonNode decrypt = statementOn(statements, SECRET_KEY_ARN);
        assertThat(actions(decrypt)).containsExactly("kms:Decrypt");
        assertThat(decrypt.at("/Condition/StringEquals/kms:ViaService").toString()).contains("secretsmanager.");

        Res secret = createdSecret.only("AWS::SecretsManager::Secret");
        assertThat(actions(statementOn(functionStatements(createdSecret), secret.ref().toString())))
                .contains("secretsmanager:GetSecretValue");
    }

    @Test
    void payloadBucket_isEncrypted_private_tlsOnly_unversioned_andExpiresPayloads() {
        Res bucket = claimCheck.only("AWS::S3::Bucket");

        assertThat(bucket.prop("/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm")
                .asText()).isEqualTo("AES256");
        JsonNode block = bucket.prop("/PublicAccessBlockConfiguration");
        for (String setting : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
            assertThat(block.path(setting).asBoolean()).as(setting).isTrue();
        }
        assertThat(bucket.prop("/VersioningConfiguration").isMissingNode()).isTrue();
        JsonNode rule = bucket.prop("/LifecycleConfiguration/Rules/0");
        assertThat(bucket.prop("/LifecycleConfiguration/Rules")).hasSize(1);
        assertThat(rule.path("Status").asText()).isEqualTo("Enabled");
        // 4 days in the queue + 14 days in the DLQ + a 7-day redrive window
        assertThat(rule.path("ExpirationInDays").asInt()).isEqualTo(25);
        assertThat(rule.at("/AbortIncompleteMultipartUpload/DaysAfterInitiation").asInt()).isEqualTo(1);

        JsonNode deny = claimCheck.only("AWS::S3::BucketPolicy").prop("/PolicyDocument/Statement/0");
        assertThat(deny.path("Effect").asText()).isEqualTo("Deny");
        assertThat(deny.at("/Condition/Bool/aws:SecureTransport").asText()).isEqualTo("false");
    }

    @Test
    void payloadStore_isNamedInTheEnvironment_withDeleteAfterSuccessOnByDefault() {
        Res bucket = claimCheck.only("AWS::S3::Bucket");
        JsonNode join = env(claimCheck).path("SLUICE_PAYLOAD_STORE").at("/Fn::Join/1");

        assertThat(join.get(0).asText()).isEqualTo("s3://");
        assertThat(join.get(1)).isEqualTo(bucket.ref());
        assertThat(join.get(2).asText()).isEqualTo("/");
        assertThat(env(claimCheck).path("SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS").asText()).isEqualTo("true");

        assertThat(env(ownBucket).path("SLUICE_PAYLOAD_STORE").asText()).isEqualTo("s3://acme-payloads/");
        assertThat(env(ownBucket).path("SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS").asText()).isEqualTo("false");
    }

    @Test
    void function_mayGetAndDeletePayloadObjects_only_andStartsAfterThatGrant() {
        Res bucket = claimCheck.only("AWS::S3::Bucket");
        Res payloadPolicy = claimCheck.resources("AWS::IAM::Policy").stream()
                .filter(p -> p.prop("/PolicyDocument").toString().contains("s3:")
                        && p.prop("/Roles").toString().contains(functionRole(claimCheck).logicalId()))
                .findFirst().orElseThrow();

        JsonNode statements = payloadPolicy.prop("/PolicyDocument/Statement");
        assertThat(statements).hasSize(1);
        assertThat(actions(statements.get(0))).containsExactlyInAnyOrder("s3:GetObject", "s3:DeleteObject");
        JsonNode objects = statements.get(0).at("/Resource/Fn::Join/1");
        assertThat(objects.get(0)).isEqualTo(bucket.getAtt("Arn"));
        assertThat(objects.get(1).asText()).isEqualTo("/*");
        assertThat(claimCheck.only("AWS::Lambda::Function").node().path("DependsOn").toString())
                .contains(payloadPolicy.logicalId());
        // the function can neither list nor put: producers put
        for (JsonNode statement : functionStatements(claimCheck)) {
            assertThat(actions(statement)).noneMatch(a -> a.startsWith("s3:List") || a.startsWith("s3:Put"));
        }
    }

    @Test
    void payloadBucket_getter_letsAProducerPutPayloads() {
        Res bucket = claimCheck.only("AWS::S3::Bucket");
        Res producer = claimCheck.resource("AWS::IAM::Role", "/Description", "producer");
        List<String> put = new ArrayList<>();
        for (Res policy : claimCheck.resources("AWS::IAM::Policy")) {
            if (policy.prop("/Roles").toString().contains(producer.logicalId())) {
                for (JsonNode s : policy.prop("/PolicyDocument/Statement")) {
                    if (s.path("Resource").toString().contains(bucket.logicalId())) {
                        put.addAll(actions(s));
                    }
                }
            }
        }
        assertThat(put).contains("s3:PutObject");
    }

    @Test
    void ownBucket_isUsedAsIs_andItsKmsKeyMayDecrypt() {
        assertThat(ownBucket.resources("AWS::S3::Bucket")).isEmpty();
        List<JsonNode> statements = functionStatements(ownBucket);

        JsonNode objects = statements.stream().filter(s -> actions(s).contains("s3:GetObject")).findFirst().orElseThrow();
        assertThat(actions(objects)).containsExactlyInAnyOrder("s3:GetObject", "s3:DeleteObject");
        assertThat(objects.path("Resource").toString()).contains(":s3:::acme-payloads/*");
        assertThat(actions(statementOn(statements, BUCKET_KEY_ARN))).contains("kms:Decrypt");
    }

    @Test
    void withoutEither_theFunctionGetsNoneOfTheVariables_andNoS3OrSecretsGrant() {
        JsonNode env = env(plain);
        assertThat(env.has("SLUICE_SIGNING_KEYS")).isFalse();
        assertThat(env.has("SLUICE_PAYLOAD_STORE")).isFalse();
        assertThat(env.has("SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS")).isFalse();
        assertThat(plain.resources("AWS::S3::Bucket")).isEmpty();
        for (JsonNode statement : functionStatements(plain)) {
            assertThat(actions(statement)).noneMatch(a -> a.startsWith("s3:") || a.startsWith("secretsmanager:")
                    || a.startsWith("kms:"));
        }
    }

    private static JsonNode env(Tpl t) {
        return t.only("AWS::Lambda::Function").prop("/Environment/Variables");
    }

    private static Res functionRole(Tpl t) {
        return t.resources("AWS::IAM::Role").stream()
                .filter(r -> r.prop("/AssumeRolePolicyDocument").toString().contains("lambda.amazonaws.com"))
                .findFirst().orElseThrow();
    }

    /** Every statement of every inline policy attached to the function's role. */
    private static List<JsonNode> functionStatements(Tpl t) {
        String role = functionRole(t).ref().toString();
        List<JsonNode> statements = new ArrayList<>();
        for (Res policy : t.resources("AWS::IAM::Policy")) {
            if (policy.prop("/Roles").toString().contains(role)) {
                policy.prop("/PolicyDocument/Statement").forEach(statements::add);
            }
        }
        return statements;
    }

    private static JsonNode statementOn(List<JsonNode> statements, String resource) {
        List<JsonNode> found = statements.stream()
                .filter(s -> s.path("Resource").toString().contains(resource)).toList();
        assertThat(found).as("statements on %s", resource).hasSize(1);
        return found.get(0);
    }

    private static List<String> actions(JsonNode statement) {
        List<String> actions = new ArrayList<>();
        JsonNode node = statement.path("Action");
        if (node.isArray()) {
            node.forEach(a -> actions.add(a.asText()));
        } else {
            actions.add(node.asText());
        }
        return actions;
    }
}
