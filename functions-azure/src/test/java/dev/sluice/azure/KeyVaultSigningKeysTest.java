package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.RefreshingSigningKeys;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.testing.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The Key Vault fetcher against a local HTTP fixture that holds to Key Vault's documented REST contract
 * ({@code GET /secrets/<name>?api-version=7.4}, bearer token, {@code {"value": ...}}): no Key Vault emulator exists.
 */
class KeyVaultSigningKeysTest {
    private static final String K1 = "k1:" + b64("k1-secret-k1-secret-k1-secret-k1-secret");
    private static final String K2 = "k2:" + b64("k2-secret-k2-secret-k2-secret-k2-secret");
    private static final String TOKEN = "test-token";
    private static final Duration REFRESH = Duration.ofSeconds(60);

    private final AtomicReference<String> secret = new AtomicReference<>(K1);
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final List<String> scopes = new CopyOnWriteArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.now());
    private HttpServer server;
    private URI secretUrl;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String problem = null;
            if (!"GET".equals(exchange.getRequestMethod())) {
                problem = "method " + exchange.getRequestMethod();
            } else if (!"/secrets/sluice-keys".equals(exchange.getRequestURI().getPath())) {
                problem = "path " + exchange.getRequestURI().getPath();
            } else if (!"api-version=7.4".equals(exchange.getRequestURI().getQuery())) {
                problem = "query " + exchange.getRequestURI().getQuery();
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            int status;
            String body;
            if (problem != null) {
                refused.add(problem);
                status = 404;
                body = "{\"error\":{\"code\":\"SecretNotFound\",\"message\":\"no such secret\"}}";
            } else if (!("Bearer " + TOKEN).equals(authorization)) {
                refused.add("authorization " + authorization);
                status = 401;
                body = "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"AKV10000: Request is missing a Bearer token.\"}}";
            } else {
                status = 200;
                body = "{\"value\":\"" + secret.get() + "\",\"id\":\"" + secretUrl + "/abc\",\"attributes\":{\"enabled\":true}}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        secretUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/secrets/sluice-keys");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private TokenCredential credential(String token) {
        return context -> {
            scopes.addAll(context.getScopes());
            return Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
        };
    }

    private RefreshingSigningKeys keys(URI url, String token) {
        Supplier<String> fetch = KeyVaultSigningKeys.fetcher(url, credential(token), HttpClient.newHttpClient());
        return RefreshingSigningKeys.start(fetch, SluiceConfig.SLUICE_SIGNING_KEYS, "azure-keyvault:" + url, REFRESH,
                RefreshingSigningKeys.DEFAULT_ON_DEMAND_GAP, clock);
    }

    @Test
    void aRotatedVaultSecret_shouldTakeEffectAfterTheRefresh() {
        RefreshingSigningKeys source = keys(secretUrl, TOKEN);
        MessageSignatures consumer = MessageSignatures.with(source);
        Envelope sender = Envelope.builder().signingKeys(source).clock(clock).build();
        assertThat(verify(consumer, K1)).isInstanceOf(MessageSignatures.Verification.Valid.class);
        assertThat(scopes).containsOnly("https://vault.azure.net/.default");

        secret.set(K2 + "," + K1);
        clock.advance(REFRESH);
        assertThat(verify(consumer, K2)).isEqualTo(new MessageSignatures.Verification.Valid("k2", false));
        assertThat(verify(consumer, K1)).isEqualTo(new MessageSignatures.Verification.Valid("k1", false));
        assertThat(sender.seal(message()).attributes()).containsEntry("sluice-key-id", "k2");

        secret.set(K2);
        clock.advance(REFRESH);
        assertThat(verify(consumer, K1)).isInstanceOfSatisfying(MessageSignatures.Verification.Invalid.class,
                invalid -> assertThat(invalid.errorType()).isEqualTo("SignatureInvalid"));
        assertThat(refused).isEmpty();
    }

    @Test
    void aRefusedToken_shouldFailStart_namingTheSetting_andTheErrorCode_only() {
        assertThatThrownBy(() -> keys(secretUrl, "wrong-token")).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(SluiceConfig.SLUICE_SIGNING_KEYS)
                .hasMessageContaining("401").hasMessageContaining("Unauthorized")
                .hasMessageNotContaining("wrong-token");
        assertThatThrownBy(() -> keys(URI.create(secretUrl + "-absent"), TOKEN)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SecretNotFound");
    }

    @Test
    void aStoreThatFailsLater_shouldLeaveTheLastGoodKeys() {
        RefreshingSigningKeys source = keys(secretUrl, TOKEN);
        server.stop(0);
        clock.advance(REFRESH);
        assertThat(source.current().activeKeyId()).isEqualTo("k1");
    }

    @Test
    void theScope_shouldFollowTheVaultsCloud() {
        assertThat(KeyVaultSigningKeys.scope(URI.create("https://v.vault.azure.net/secrets/x"))).isEqualTo("https://vault.azure.net/.default");
        assertThat(KeyVaultSigningKeys.scope(URI.create("https://v.vault.azure.cn/secrets/x"))).isEqualTo("https://vault.azure.cn/.default");
    }

    @Test
    void theAwsPrefix_shouldBeRefused_onAzure() {
        SluiceConfig config = SluiceConfig.builder().queueName("q").signingKeys("aws-secretsmanager:keys").build();
        assertThatThrownBy(() -> KeyVaultSigningKeys.source(config, () -> credential(TOKEN), clock))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("azure-keyvault:");
    }

    private MessageSignatures.Verification verify(MessageSignatures consumer, String producerKeys) {
        Envelope.Sealed sealed = Envelope.builder().signingKeys(SigningKeys.parse(producerKeys, "test")).clock(clock).build()
                .seal(message());
        return consumer.verify(sealed.body(), sealed.attributes(), clock.instant());
    }

    private static OutboundMessage message() {
        return OutboundMessage.builder().body("{}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
