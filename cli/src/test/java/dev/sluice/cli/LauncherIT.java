package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.aws.local.MotoServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code cli/bin/sluice}, the README's way to run the demo: it runs, and the JVM prints no warnings. */
class LauncherIT {
    @Test
    void theDemoThroughTheLauncher_exitsZero_withoutJvmWarnings() throws Exception {
        // GIVEN the launcher on this build's JDK, running the command from the test class path (the jar comes later)
        List<String> command = new ArrayList<>(List.of("sh", "bin/sluice", "demo"));
        String moto = System.getProperty(MotoServer.EXECUTABLE_PROPERTY);
        if (moto != null) {
            command.addAll(List.of("--moto-server", moto));
        }
        ProcessBuilder launcher = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile());
        launcher.environment().put("JAVA_HOME", System.getProperty("java.home"));
        launcher.environment().put("SLUICE_CLASSPATH", System.getProperty("java.class.path"));
        Path err = Files.createTempFile("sluice-launcher", ".err");
        launcher.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);

        // WHEN the demo runs
        Process process = launcher.start();
        boolean ended = process.waitFor(3, TimeUnit.MINUTES);

        // THEN it succeeds and stderr carries no JVM warning (JDK 23+ warns about sun.misc.Unsafe without the option)
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(ended).as("the demo ended within 3 minutes").isTrue();
        assertThat(process.exitValue()).as(stderr).isZero();
        assertThat(stderr).doesNotContain("WARNING");
        Files.deleteIfExists(err);
    }
}
