package dev.sluice.azure.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.testcontainers.DockerClientFactory;

/** The Docker column of DESIGN section 10: emulator-backed tests run only where Docker is available. */
public final class Docker {
    private Docker() {}

    /** Skips the calling test (or class) when no Docker daemon answers. */
    public static void assumeAvailable() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            available = false;
        }
        assumeTrue(available, "Docker is not available: emulator tests are skipped");
    }
}
