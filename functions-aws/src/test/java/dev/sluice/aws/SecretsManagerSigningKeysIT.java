package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Events;
import dev.sluice.aws.testing.ManualClock;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.security.SigningKeySource;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Keys in Secrets Manager (moto's server): the consumer and the sender follow a rotation of the secret without being
 * rebuilt, once the refresh interval has passed.
 */
@ExtendWith(Engines.class)
class SecretsManagerSigningKeysIT {
    private static final String K1 = "k1:" + b64("k1-secret-k1-secret-k1-secret-k1-secret");
    private static final String K2 = "k2:" + b64("k2-secret-k2-secret-k2-secret-k2-secret");
    private static final Duration REFRESH = Duration.ofSeconds(60);

    private static SecretsManagerClient secrets;

    private final ManualClock clock = new ManualClock(Instant.now());
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void client() {
        secrets = AwsTestClients.secretsManager(Engines.secretsManager());
    }

    @AfterAll
    static void close() {
        secrets.close();
    }

    @Test
    void aRotatedSecret_shouldTakeEffectAfterTheRefresh_withoutARebuild() {
        // GIVEN a secret holding k1, and a consumer and a sender whose configuration names it
        String secretId = "sluice/keys-" + UUID.randomUUID();
        secrets.createSecret(r -> r.name(secretId).secretString(K1));
        SluiceConfig config = SluiceConfig.builder().queueName("orders").signingKeys("aws-secretsmanager:" + secretId)
                .signingKeysRefresh(REFRESH).build();
        SqsBatchConsumer<JsonNode> consumer = SqsBatchConsumer.<JsonNode>builder().config(config)
                .codec(JsonCodec.of(JsonNode.class)).handler((m, c) -> handled.add(m.id()))
                .sqsClient(AwsTestClients.sqs(Engines.sqs())).secretsManagerClient(secrets).clock(clock)
                .logSink(e -> { }).metrics(dev.sluice.core.spi.MetricsSink.NOOP).snapStartPriming(false).build();
        SigningKeySource producerKeys = SecretsManagerSigningKeys.source(config, secrets, clock).orElseThrow();
        Envelope sender = Envelope.builder().signingKeys(producerKeys).clock(clock).build();
        Envelope k1Producer = producer(K1);
        Envelope k2Producer = producer(K2);
        assertThat(outcome(consumer, k1Producer)).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(sender.seal(message()).attributes()).containsEntry("sluice-key-id", "k1");

        // WHEN the secret is rotated to k2 (active) with k1 kept, and the refresh interval passes
        secrets.putSecretValue(r -> r.secretId(secretId).secretString(K2 + "," + K1));
        clock.advance(REFRESH);

        // THEN k2 and k1 both verify, and the sender signs with k2
        assertThat(outcome(consumer, k2Producer)).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(outcome(consumer, k1Producer)).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(sender.seal(message()).attributes()).containsEntry("sluice-key-id", "k2");
        assertThat(outcome(consumer, sender)).isInstanceOf(MessageOutcome.Processed.class);

        // WHEN k1 is removed and the refresh interval passes again
        secrets.putSecretValue(r -> r.secretId(secretId).secretString(K2));
        clock.advance(REFRESH);

        // THEN a k1-signed message is refused
        MessageOutcome refused = outcome(consumer, k1Producer);
        assertThat(refused).isInstanceOf(MessageOutcome.DeadLettered.class);
        assertThat(((MessageOutcome.DeadLettered) refused).kind()).isEqualTo(FailureKind.SIGNATURE_INVALID);
        assertThat(outcome(consumer, k2Producer)).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(handled).hasSize(5);
    }

    @Test
    void aMissingSecret_shouldFailStart_namingTheSetting() {
        SluiceConfig config = SluiceConfig.builder().queueName("orders").signingKeys("aws-secretsmanager:sluice/absent-"
                + UUID.randomUUID()).build();
        assertThatThrownBy(() -> SqsBatchConsumer.<JsonNode>builder().config(config).codec(JsonCodec.of(JsonNode.class))
                .handler((m, c) -> { }).sqsClient(AwsTestClients.sqs(Engines.sqs())).secretsManagerClient(secrets)
                .logSink(e -> { }).snapStartPriming(false).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(SluiceConfig.SLUICE_SIGNING_KEYS)
                .hasMessageContaining("ResourceNotFound");
    }

    private MessageOutcome outcome(SqsBatchConsumer<JsonNode> consumer, Envelope producer) {
        Envelope.Sealed sealed = producer.seal(message());
        SQSEvent.SQSMessage record = Events.record(sealed.messageId(), new String(sealed.body(), StandardCharsets.UTF_8),
                sealed.attributes());
        return consumer.outcomes(Events.of(record), Instant.MAX).getFirst();
    }

    private Envelope producer(String spec) {
        return Envelope.builder().signingKeys(SigningKeys.parse(spec, "test")).clock(clock).build();
    }

    private static OutboundMessage message() {
        return OutboundMessage.builder().body("{\"order\":1}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
