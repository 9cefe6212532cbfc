package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Buckets;
import dev.sluice.aws.testing.ClaimChecks;
import dev.sluice.aws.testing.Engines;
import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.testing.PayloadStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The payload store contract on {@link S3PayloadStore}: S3 on moto, or {@code SLUICE_TEST_DYNAMODB_ENDPOINT}. */
@ExtendWith(Engines.class)
class S3PayloadStoreContractIT extends PayloadStoreContract {
    private static S3Client s3;

    @BeforeAll
    static void client() {
        s3 = AwsTestClients.s3(Engines.s3());
    }

    @AfterAll
    static void close() {
        s3.close();
    }

    @Override
    protected PayloadStore newStore() {
        return S3PayloadStore.of(s3, PayloadLocation.parse("s3://" + Buckets.create(s3, "payloads") + "/claims",
                "SLUICE_PAYLOAD_STORE"));
    }

    @Test
    void keysStartWithTheLocationsPrefix() {
        PayloadPointer pointer = store.put(new byte[] {1});

        assertThat(pointer.key()).startsWith("claims/");
        assertThat(Buckets.exists(s3, pointer.container(), pointer.key())).isTrue();
    }

    @Test
    void aMissingBucketIsAnErrorNotAMissingPayload() {
        PayloadPointer pointer = new PayloadPointer(PayloadPointer.Store.S3, "no-such-bucket-" + System.nanoTime(), "k");

        // a retry (the bucket may come back), never poison
        assertThatThrownBy(() -> store.get(pointer, 1024)).isInstanceOf(S3Exception.class);
    }

    @Test
    void aBlobLocationIsRefused() {
        PayloadLocation blob = PayloadLocation.parse("https://acct.blob.core.windows.net/payloads", "SLUICE_PAYLOAD_STORE");

        assertThatThrownBy(() -> S3PayloadStore.of(s3, blob)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3://");
    }

    @Test
    void theDefaultClient_reachesALocalEngineOnAnIpAddress_withoutPathStyleSettings() {
        // GIVEN a client built as the consumer's default is (AwsClients.s3), only the endpoint overridden
        // (AWS_ENDPOINT_URL_S3 does the same from the environment)
        try (S3Client plain = S3Client.builder().endpointOverride(Engines.s3()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            PayloadStore plainStore = S3PayloadStore.of(plain, PayloadLocation.parse("s3://" + Buckets.create(s3, "plain"),
                    "SLUICE_PAYLOAD_STORE"));
            // WHEN it stores and reads a payload THEN it works: an IP-address endpoint is served path-style
            PayloadPointer pointer = plainStore.put(new byte[] {7});
            assertThat(plainStore.get(pointer, 16)).hasValueSatisfying(b -> assertThat(b).containsExactly(7));
        }
    }

    @Test
    void aConsumerWithABlobLocation_failsToBuild_namingTheSetting() {
        assertThatThrownBy(() -> SqsBatchConsumer.<String>builder().codec(ClaimChecks.TEXT).handler((m, c) -> { })
                .sqsClient(AwsTestClients.sqs(Engines.sqs())).s3Client(s3).snapStartPriming(false)
                .config(SluiceConfig.builder().queueName("q")
                        .payloadStore("https://acct.blob.core.windows.net/payloads").build())
                .build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SLUICE_PAYLOAD_STORE").hasMessageContaining("s3://");
    }
}
