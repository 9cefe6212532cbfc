package dev.sluice.aws.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * moto (Apache-2.0) in server mode: a local DynamoDB, S3 and Secrets Manager endpoint for the demo and the
 * tests, run as a child process from the Python virtual environment the build creates
 * ({@code tools/moto/install.sh}, into {@code target/moto}). It listens on a free loopback port and keeps
 * its data in memory; {@link #close()} stops it.
 *
 * <p>The executable is {@code sluice-moto-server}, moto's server with request handling serialised: plain
 * {@code moto_server} lets two concurrent conditional writes on one key both succeed, where DynamoDB
 * documents them as atomic. moto never expires TTL items: Sluice's own expiry conditions are what make an
 * expired record free. The departures are listed in {@code functions-aws/README.md}.
 */
public final class MotoServer implements AutoCloseable {
    /** System property naming the {@code sluice-moto-server} executable. */
    public static final String EXECUTABLE_PROPERTY = "sluice.motoServer";
    /** Environment variable naming the {@code sluice-moto-server} executable. */
    public static final String EXECUTABLE_VARIABLE = "SLUICE_MOTO_SERVER";

    private static final Path VENV_EXECUTABLE = Path.of("target", "moto", "bin", "sluice-moto-server");
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final int LOG_TAIL_CHARS = 4_000;

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread stopOnExit;

    private MotoServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.stopOnExit = new Thread(process::destroyForcibly, "moto-server-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Finds {@code sluice-moto-server}: {@code configured} when given (from {@value #EXECUTABLE_PROPERTY} or
     * {@value #EXECUTABLE_VARIABLE}, read by the caller), else {@code target/moto/bin/sluice-moto-server} in
     * {@code from} or one of its ancestors (the build's virtual environment at the project root).
     *
     * @param configured an explicit path to the executable, or null or blank
     * @param from where to start looking, e.g. the working directory or the directory of {@code sluice.jar}
     * @return the executable, if found
     */
    public static Optional<Path> locate(@Nullable String configured, Path from) {
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured.strip()));
        }
        for (Path dir = from.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(VENV_EXECUTABLE);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts the server on a free loopback port and waits until it answers.
     *
     * @param executable the {@code sluice-moto-server} script of the build's virtual environment
     * @return the running server
     * @throws IllegalStateException naming the cause and quoting the server's log when it does not start
     */
    public static MotoServer start(Path executable) {
        Objects.requireNonNull(executable, "executable");
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException("sluice-moto-server not found at " + executable
                    + ": build with ./mvnw install -DskipTests (tools/moto/install.sh creates target/moto)");
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return launch(executable, freePort());
            } catch (IllegalStateException portTaken) {
                // the free port can be taken between probing and binding: try another one
                last = portTaken;
            }
        }
        throw Objects.requireNonNull(last);
    }

    private static MotoServer launch(Path executable, int port) {
        Path log;
        Process process;
        try {
            log = Files.createTempFile("moto-server", ".log");
            log.toFile().deleteOnExit();
            process = new ProcessBuilder(List.of(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + executable, e);
        }
        MotoServer server = new MotoServer(process, port, log);
        server.awaitReady();
        return server;
    }

    private void awaitReady() {
        Instant until = Instant.now().plus(STARTUP);
        while (Instant.now().isBefore(until)) {
            if (!process.isAlive()) {
                close();
                throw new IllegalStateException("the moto server exited with " + process.exitValue() + ": " + logTail());
            }
            if (answers()) {
                return;
            }
            sleep(Duration.ofMillis(100));
        }
        close();
        throw new IllegalStateException("the moto server did not answer within " + STARTUP + ": " + logTail());
    }

    private boolean answers() {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint().resolve("/moto-api/").toURL().openConnection();
            connection.setConnectTimeout(1_000);
            connection.setReadTimeout(2_000);
            try {
                return connection.getResponseCode() > 0;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    /** @return the endpoint, e.g. {@code http://127.0.0.1:41234} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** @return whether the server process is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the last few thousand characters of the server's log, for error messages */
    public String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= LOG_TAIL_CHARS ? text : "..." + text.substring(text.length() - LOG_TAIL_CHARS);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        removeShutdownHook(stopOnExit);
    }

    private static void removeShutdownHook(@Nullable Thread hook) {
        try {
            if (hook != null) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting: the hook runs anyway
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the moto server", e);
        }
    }
}
