package dev.sluice.azure.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * {@code @vercel/cosmosdb-server} behind Sluice's compatibility wrapper ({@code src/test/cosmos-server/wrapper.js}),
 * run as a child process on a free loopback port. The build installs it with {@code npm ci}; one server
 * serves a whole test run and is stopped through its own process handle (it also exits when this JVM's
 * pipe to it closes).
 */
public final class LocalCosmosServer implements AutoCloseable {
    /** The key the Cosmos emulators accept (the local server ignores keys). */
    public static final String EMULATOR_KEY =
            "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
    private static final String READY = "SLUICE-COSMOS-READY ";

    private final Process process;
    private final URI endpoint;
    private final List<String> output;

    private LocalCosmosServer(Process process, URI endpoint, List<String> output) {
        this.process = process;
        this.endpoint = endpoint;
        this.output = output;
    }

    /**
     * Starts the wrapper from the directory in system property {@code sluice.cosmosServerDir}
     * (default {@code src/test/cosmos-server}).
     *
     * @return the running server
     */
    public static LocalCosmosServer start() {
        Path dir = Path.of(System.getProperty("sluice.cosmosServerDir", "src/test/cosmos-server")).toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("node_modules/@vercel/cosmosdb-server"))) {
            throw new IllegalStateException("@vercel/cosmosdb-server is not installed in " + dir
                    + ": the build runs `npm ci` there (exec-maven-plugin); run it by hand when testing from an IDE");
        }
        String node = System.getProperty("sluice.node", "node");
        ProcessBuilder builder = new ProcessBuilder(node, "wrapper.js", "--port", "0", "--host", "127.0.0.1")
                .directory(dir.toFile())
                .redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node (" + node + "): " + e.getMessage(), e);
        }
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().name("cosmos-server-output").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith(READY)) {
                        ready.complete(URI.create(line.substring(READY.length()).trim()));
                    } else if (output.size() < 200) {
                        output.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            ready.completeExceptionally(new IllegalStateException("cosmos server exited: " + output));
        });
        try {
            URI endpoint = ready.get(60, TimeUnit.SECONDS);
            return new LocalCosmosServer(process, endpoint, output);
        } catch (Exception e) {
            process.destroyForcibly();
            reader.interrupt();
            throw new IllegalStateException("cosmos server did not start: " + output, e);
        }
    }

    /** @return the endpoint, e.g. {@code https://127.0.0.1:41234/} */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Moves the server's TTL clock forward, so items whose ttl ran out vanish as they would in Cosmos DB.
     *
     * @param duration how far
     */
    public void advanceTtlClock(Duration duration) {
        try {
            HttpsURLConnection connection = (HttpsURLConnection) endpoint.resolve("/_sluice/clock").toURL().openConnection();
            // the server's certificate is self-signed and names no host: trust it for this loopback call only
            connection.setSSLSocketFactory(trustAll().getSocketFactory());
            connection.setHostnameVerifier((host, session) -> true);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(("{\"advanceSeconds\":" + duration.toSeconds() + "}").getBytes(StandardCharsets.UTF_8));
            }
            int status = connection.getResponseCode();
            connection.getInputStream().readAllBytes();
            if (status != 200) {
                throw new IllegalStateException("clock advance failed with status " + status);
            }
        } catch (IOException e) {
            throw new IllegalStateException("clock advance failed", e);
        }
    }

    /** @return the server's output so far (errors it logged), for diagnosis */
    public List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() {
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.flush();
        } catch (IOException ignored) {
            // closing stdin asks the wrapper to exit
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
