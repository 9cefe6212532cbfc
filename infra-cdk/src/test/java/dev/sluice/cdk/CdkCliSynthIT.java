package dev.sluice.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real CDK CLI (pinned in package-lock.json, installed by Maven's {@code npm ci}) on the
 * committed cdk.json, offline: what a user gets from {@code npx cdk synth}.
 */
class CdkCliSynthIT {

    @Test
    void cdkSynth_withTheCommittedCdkJson_writesTheExampleStack() throws IOException, InterruptedException {
        // GIVEN the pinned CLI and a stand-in for the functions-aws deployment jar
        Path cli = Path.of("node_modules", ".bin", "cdk");
        assertThat(cli).as("the CDK CLI; Maven installs it with npm ci in generate-test-resources").exists();
        Path out = CdkTestSupport.tempDir("cdk-cli-out-");
        Path jar = CdkTestSupport.lambdaJar();
        ProcessBuilder synth = new ProcessBuilder(cli.toString(), "synth", "--no-notices", "--quiet",
                "--output", out.toString(), "-c", "sluice:lambdaJar=" + jar)
                .redirectErrorStream(true);
        // cdk.json runs `java`: make it this JDK (21+), not whatever java is first on PATH
        String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
        synth.environment().merge("PATH", javaBin, (path, bin) -> bin + File.pathSeparator + path);
        synth.environment().put("CDK_DISABLE_CLI_TELEMETRY", "true");

        // WHEN
        Process process = synth.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean finished = process.waitFor(3, TimeUnit.MINUTES);

        // THEN
        assertThat(finished).as("cdk synth finished").isTrue();
        assertThat(process.exitValue()).as("cdk synth exit code; output:%n%s", output).isZero();
        JsonNode template = CdkTestSupport.json(out.resolve("SluiceOrderEvents.template.json"));
        assertThat(template.findValuesAsText("Handler"))
                .containsExactly("dev.sluice.aws.example.OrderEventsFunction::handleRequest");
        assertThat(template.findValuesAsText("Runtime")).containsExactly("java21");
        assertThat(output).doesNotContain("AwsSolutions-");
    }
}
