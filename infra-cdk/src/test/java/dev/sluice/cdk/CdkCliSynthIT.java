package dev.sluice.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real CDK CLI (pinned in package-lock.json, installed by Maven's {@code npm ci}) on the
 * committed cdk.json, offline, the way {@code npx cdk synth} runs it: {@code node_modules/.bin} first on
 * PATH, so the CLI and the app's jsii runtime run on the Node 22 that npm installed.
 */
class CdkCliSynthIT {

    @Test
    void cdkSynth_runsTheAppOnAJdk21_evenWithAnOlderJavaFirstOnPath() throws IOException, InterruptedException {
        // GIVEN the pinned CLI, a stand-in deployment jar, and a Java 17 `java` first on PATH (JAVA_HOME is this JDK)
        Path bin = Path.of("node_modules", ".bin").toAbsolutePath();
        assertThat(bin.resolve("cdk")).as("the CDK CLI; Maven installs it with npm ci in generate-test-resources").exists();
        Path out = CdkTestSupport.tempDir("cdk-cli-out-");
        Path jar = CdkTestSupport.lambdaJar();
        Path oldJava = fakeJava17();
        ProcessBuilder synth = new ProcessBuilder(bin.resolve("cdk").toString(), "synth", "--no-notices", "--quiet",
                "--output", out.toString(), "-c", SynthCheckApp.LAMBDA_JAR_CONTEXT + "=" + jar)
                .redirectErrorStream(true);
        synth.environment().merge("PATH", bin + File.pathSeparator + oldJava, (path, first) -> first + File.pathSeparator + path);
        synth.environment().put("JAVA_HOME", System.getProperty("java.home"));
        synth.environment().put("CDK_DISABLE_CLI_TELEMETRY", "true");

        // WHEN
        Process process = synth.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean finished = process.waitFor(3, TimeUnit.MINUTES);

        // THEN the app ran (on JAVA_HOME's JDK, not the old java), and no Node end-of-life banner was printed
        assertThat(finished).as("cdk synth finished").isTrue();
        assertThat(process.exitValue()).as("cdk synth exit code; output:%n%s", output).isZero();
        JsonNode template = CdkTestSupport.json(out.resolve(SynthCheckApp.STACK_NAME + ".template.json"));
        assertThat(template.findValuesAsText("Handler")).containsExactly(SynthCheckApp.HANDLER);
        assertThat(template.findValuesAsText("Runtime")).containsExactly("java21");
        assertThat(output).doesNotContain("AwsSolutions-").doesNotContainIgnoringCase("end-of-life")
                .doesNotContain("UnsupportedClassVersionError");
    }

    /** A directory whose {@code java} reports Java 17 and cannot run anything. */
    private static Path fakeJava17() throws IOException {
        Path dir = CdkTestSupport.tempDir("java17-");
        Path java = dir.resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                echo '    java.specification.version = 17' >&2
                case "$*" in *-version*) exit 0 ;; esac
                echo 'Error: UnsupportedClassVersionError (this is the Java 17 stand-in)' >&2
                exit 1
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }
}
