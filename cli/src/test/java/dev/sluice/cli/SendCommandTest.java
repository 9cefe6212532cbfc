package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.aws.SqsDeadLetterQueue;
import dev.sluice.aws.local.MotoServer;
import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.codec.PayloadCompression;
import dev.sluice.cli.backend.CloudBackends;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code sluice send} on an embedded ElasticMQ, through the real SQS back end. */
class SendCommandTest {
    private static final String SECRET = Base64.getEncoder().encodeToString(
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private static final SigningKeys KEYS = SigningKeys.parse("k1:" + SECRET, "test");

    private static LocalSqs local;
    private static URI endpoint;
    private static SqsClient sqs;

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private String queue;
    private String queueUrl;

    @BeforeAll
    static void start() {
        local = LocalSqs.start();
        endpoint = local.endpoint;
        sqs = local.sqs;
    }

    @AfterAll
    static void stop() {
        local.close();
    }

    private String consumerQueue;

    @BeforeEach
    void queue() {
        // the send goes to a queue another queue's redrive policy names, so the public dead-letter reader (which unpacks
        // SQS's attribute limit the way every Sluice reader does) can read it back
        queue = "orders-" + System.nanoTime();
        queueUrl = sqs.createQueue(r -> r.queueName(queue)).queueUrl();
        String arn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        consumerQueue = queue + "-source";
        sqs.createQueue(r -> r.queueName(consumerQueue).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"3\"}")));
    }

    private int run(Map<String, String> environment, String stdin, String... args) {
        CommandLine cli = SluiceCli.commandLine(new CloudBackends(environment), new BufferedReader(new StringReader(stdin)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 5];
        all[0] = "send";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--aws-queue";
        all[args.length + 2] = queue;
        all[args.length + 3] = "--endpoint";
        all[args.length + 4] = endpoint.toString();
        return cli.execute(all);
    }

    private DeadLetter receiveOne() {
        try (SqsDeadLetterQueue reader = SqsDeadLetterQueue.open(sqs, consumerQueue)) {
            List<DeadLetter> messages = reader.browse(10);
            assertThat(messages).hasSize(1);
            return messages.getFirst();
        }
    }

    @Test
    void send_withKeysInTheEnvironment_deliversASignedMessageWithItsHeaders_andPrintsTheIds() throws Exception {
        // GIVEN a body in a file and signing keys in the environment
        Path body = dir.resolve("order.json");
        Files.writeString(body, "{\"orderId\":\"o-1\"}");

        // WHEN the message is sent with its headers, as JSON output
        int code = run(Map.of(CloudBackends.SLUICE_SIGNING_KEYS, "k1:" + SECRET), "", "--file", body.toString(),
                "--type", "order", "--schema-version", "2", "--correlation-id", "c-1", "--idempotency-key", "o-1", "-o", "json");

        // THEN it arrives with the headers the consumer reads, and its signature verifies with the same key
        assertThat(code).as(err.toString()).isZero();
        JsonNode printed = new ObjectMapper().readTree(out.toString());
        DeadLetter received = receiveOne();
        assertThat(printed.get("status").asText()).isEqualTo("sent");
        assertThat(printed.get("provider_message_id").asText()).isEqualTo(received.providerMessageId());
        assertThat(printed.get("signed").asBoolean()).isTrue();
        Map<String, String> attributes = received.attributes();
        assertThat(new String(received.body(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"o-1\"}");
        assertThat(attributes).containsEntry(SluiceAttributes.MESSAGE_TYPE, "order")
                .containsEntry(SluiceAttributes.SCHEMA_VERSION, "2")
                .containsEntry(SluiceAttributes.CORRELATION_ID, "c-1")
                .containsEntry(SluiceAttributes.IDEMPOTENCY_KEY, "o-1")
                .containsEntry(SluiceAttributes.MESSAGE_ID, printed.get("sluice_message_id").asText())
                .containsEntry(SluiceAttributes.KEY_ID, "k1");
        assertThat(MessageSignatures.with(KEYS).verify(received.body(), attributes, Instant.now()))
                .isEqualTo(new MessageSignatures.Verification.Valid("k1", false));
    }

    @Test
    void send_withoutKeys_takesTheBodyFromStandardInput_unsigned_andPrintsTheProviderId() {
        int code = run(Map.of(), "hello from stdin", "--type", "greeting");

        assertThat(code).as(err.toString()).isZero();
        DeadLetter received = receiveOne();
        assertThat(out.toString().strip()).isEqualTo(received.providerMessageId());
        assertThat(new String(received.body(), StandardCharsets.UTF_8)).isEqualTo("hello from stdin");
        assertThat(received.attributes())
                .containsEntry(SluiceAttributes.MESSAGE_TYPE, "greeting").doesNotContainKey(SluiceAttributes.SIGNATURE);
    }

    @Test
    void usageErrors_exit2_namingTheFlag() {
        assertThat(run(Map.of(), "x", "--delay", "901s")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--delay");
        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "", "--file", dir.resolve("missing.json").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--file");
        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "x", "--type", " ")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--type");
        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--file");
        assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl)).messages()).isEmpty();
    }

    @Test
    void send_withAMalformedSecretReference_failsNamingTheSetting_andSendsNothing() {
        int code = run(Map.of(CloudBackends.SLUICE_SIGNING_KEYS, "azure-keyvault:http://v.vault.azure.net/secrets/k"), "x");

        assertThat(code).isNotZero();
        assertThat(err.toString()).contains(CloudBackends.SLUICE_SIGNING_KEYS).contains("azure-keyvault:https://");
        assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl)).messages()).isEmpty();
    }

    @Test
    void send_withAPayloadStore_putsALargeBodyInS3_andTheMessageCarriesTheLibrarysPointer() throws Exception {
        // GIVEN moto serving S3, a bucket, and a 400 KiB body that gzip cannot bring under SQS's limit
        Path executable = MotoServer.locate(System.getProperty(MotoServer.EXECUTABLE_PROPERTY), Path.of(""))
                .orElseThrow(() -> new IllegalStateException("sluice-moto-server not found: the build makes target/moto"));
        try (MotoServer moto = MotoServer.start(executable);
             S3Client s3 = S3Client.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                     .httpClient(UrlConnectionHttpClient.create()).build()) {
            s3.createBucket(r -> r.bucket("payloads"));
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            StringBuilder text = new StringBuilder();
            while (text.length() < 400 * 1024) {
                text.append((char) ('a' + random.nextInt(26)));
            }
            Path body = dir.resolve("large.json");
            Files.writeString(body, "{\"text\":\"" + text + "\"}");

            // WHEN it is sent, signed, with SLUICE_PAYLOAD_STORE naming the bucket
            int code = run(Map.of(CloudBackends.SLUICE_SIGNING_KEYS, "k1:" + SECRET,
                    CloudBackends.SLUICE_PAYLOAD_STORE, "s3://payloads/cli", CloudBackends.AWS_ENDPOINT_URL_S3,
                    moto.endpoint().toString()), "", "--file", body.toString());

            // THEN the queue holds the pointer, the bucket the compressed body, and the signature covers the stored bytes
            assertThat(code).as(err.toString()).isZero();
            DeadLetter received = receiveOne();
            PayloadPointer pointer = ClaimCheck.parse(received.body());
            assertThat(pointer.container()).isEqualTo("payloads");
            assertThat(pointer.key()).startsWith("cli/");
            byte[] stored = s3.getObjectAsBytes(r -> r.bucket("payloads").key(pointer.key())).asByteArray();
            byte[] inflated = PayloadCompression.decodePayload(stored, received.attributes(), 1 << 20);
            assertThat(java.util.Arrays.equals(inflated, Files.readAllBytes(body))).as("the stored body, inflated").isTrue();
            assertThat(received.attributes()).containsEntry(ClaimCheck.SIZE_ATTRIBUTE, Integer.toString(stored.length))
                    .containsEntry(SluiceAttributes.CONTENT_ENCODING, "gzip");
            assertThat(MessageSignatures.with(KEYS).verify(stored, received.attributes(), Instant.now()))
                    .isEqualTo(new MessageSignatures.Verification.Valid("k1", false));
        }
    }

    @Test
    void send_withABlobStorageLocation_toSqs_failsNamingTheSetting_andSendsNothing() {
        int code = run(Map.of(CloudBackends.SLUICE_PAYLOAD_STORE, "https://acct.blob.core.windows.net/payloads"), "x");

        assertThat(code).isNotZero();
        assertThat(err.toString()).contains(CloudBackends.SLUICE_PAYLOAD_STORE).contains("s3://");
        assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl)).messages()).isEmpty();
    }
}
