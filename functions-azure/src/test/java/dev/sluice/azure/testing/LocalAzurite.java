package dev.sluice.azure.testing;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.sluice.core.claimcheck.PayloadLocation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Azurite's Blob service ({@code azurite-blob}, from {@code src/test/azurite}, which the build installs with
 * {@code npm ci}) as a child process on a port the OS picks on the loopback interface, in memory. One process serves a
 * whole test run: {@link #of(ExtensionContext)} keeps it in JUnit's root store, which closes it when the run ends.
 */
public final class LocalAzurite implements AutoCloseable {
    /** Azurite's well-known development account. */
    public static final String ACCOUNT = "devstoreaccount1";
    /** The well-known key of {@link #ACCOUNT} (public, documented by Microsoft; Azurite accepts nothing else). */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalAzurite.class);
    private static final Pattern LISTENING = Pattern.compile("Blob service successfully listens on (http://\\S+)");

    private final Process process;
    private final URI accountUrl;
    private final Duration startup;
    private final BlobServiceClient client;

    private LocalAzurite(Process process, URI accountUrl, Duration startup) {
        this.process = process;
        this.accountUrl = accountUrl;
        this.startup = startup;
        this.client = new BlobServiceClientBuilder().endpoint(accountUrl.toString())
                .credential(new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY)).buildClient();
    }

    /**
     * @param context any extension context of the run
     * @return the run's Azurite, started on first use
     */
    public static LocalAzurite of(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(LocalAzurite.class, k -> start(), LocalAzurite.class);
    }

    /**
     * Starts Azurite from the directory in system property {@code sluice.azuriteDir} (default {@code src/test/azurite}).
     *
     * @return the running server; close it
     */
    public static LocalAzurite start() {
        Path dir = Path.of(System.getProperty("sluice.azuriteDir", "src/test/azurite")).toAbsolutePath();
        Path main = dir.resolve("node_modules/azurite/dist/src/blob/main.js");
        if (!Files.isRegularFile(main)) {
            throw new IllegalStateException("azurite is not installed in " + dir
                    + ": the build runs `npm ci` there (exec-maven-plugin); run it by hand when testing from an IDE");
        }
        String node = System.getProperty("sluice.node", "node");
        long begin = System.nanoTime();
        Process process;
        try {
            // --skipApiVersionCheck: the Java SDK may speak a newer service version than this Azurite knows
            process = new ProcessBuilder(node, main.toString(), "--blobHost", "127.0.0.1", "--blobPort", "0",
                    "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node (" + node + "): " + e.getMessage(), e);
        }
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("azurite-output").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Matcher listening = LISTENING.matcher(line);
                    if (listening.find()) {
                        ready.complete(URI.create(listening.group(1) + "/" + ACCOUNT));
                    } else if (output.size() < 200) {
                        output.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            ready.completeExceptionally(new IllegalStateException("azurite exited: " + output));
        });
        try {
            URI accountUrl = ready.get(60, TimeUnit.SECONDS);
            Duration startup = Duration.ofNanos(System.nanoTime() - begin);
            // once per run: how long the engine took, for whoever wonders where the test time goes
            System.err.println("LocalAzurite: azurite-blob listens on " + accountUrl + " after " + startup.toMillis() + " ms");
            return new LocalAzurite(process, accountUrl, startup);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("azurite did not start: " + output, e);
        }
    }

    /** @return e.g. {@code http://127.0.0.1:41234/devstoreaccount1} */
    public URI accountUrl() {
        return accountUrl;
    }

    /** @return the connection string of {@link #ACCOUNT} on this server */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=" + accountUrl + ";";
    }

    /** @return how long the server took to listen */
    public Duration startup() {
        return startup;
    }

    /** @return a client of {@link #ACCOUNT} with its shared key */
    public BlobServiceClient client() {
        return client;
    }

    /** @return a new, empty container */
    public BlobContainerClient newContainer() {
        return client.createBlobContainer("payloads-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /**
     * @param container a container of this server
     * @return its location as {@code SLUICE_PAYLOAD_STORE} names it
     */
    public PayloadLocation location(BlobContainerClient container) {
        return PayloadLocation.parse(accountUrl + "/" + container.getBlobContainerName(), "SLUICE_PAYLOAD_STORE");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            // node may linger on open sockets after SIGTERM
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
