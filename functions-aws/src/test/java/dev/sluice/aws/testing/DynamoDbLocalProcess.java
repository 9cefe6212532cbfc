package dev.sluice.aws.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local (AWS's own licence: test scope only, never shipped) started as a child JVM on a free
 * loopback port, in memory. A separate process keeps its threads, Jetty and SQLite out of the test JVM and
 * our code from linking against it; {@link #close()} stops it.
 */
public final class DynamoDbLocalProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private DynamoDbLocalProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** @return a started server, ready for requests */
    public static DynamoDbLocalProcess start() {
        int port = freePort();
        String nativeLibs = System.getProperty("sqlite4java.library.path", Path.of("target", "native-libs").toAbsolutePath().toString());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "--enable-native-access=ALL-UNNAMED",
                "-Dsqlite4java.library.path=" + nativeLibs,
                "-cp", System.getProperty("java.class.path"),
                "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
                "-inMemory", "-port", Integer.toString(port), "-disableTelemetry"));
        try {
            File log = Files.createTempFile("dynamodb-local", ".log").toFile();
            log.deleteOnExit();
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            DynamoDbLocalProcess server = new DynamoDbLocalProcess(process, port);
            server.awaitReady(Duration.ofSeconds(60), log);
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start DynamoDB Local", e);
        }
    }

    private void awaitReady(Duration timeout, File log) throws IOException {
        Instant until = Instant.now().plus(timeout);
        try (DynamoDbClient client = AwsTestClients.dynamoDb(endpoint())) {
            while (Instant.now().isBefore(until)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("DynamoDB Local exited: " + Files.readString(log.toPath()));
                }
                try {
                    client.listTables();
                    return;
                } catch (RuntimeException notYet) {
                    sleep(100);
                }
            }
        }
        close();
        throw new IllegalStateException("DynamoDB Local did not start within " + timeout + ": " + Files.readString(log.toPath()));
    }

    /** @return the endpoint, e.g. {@code http://127.0.0.1:41234} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
