package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.backend.CloudBackends;
import dev.sluice.cli.internal.ErrorLines;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.ConnectException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Errors are one line an operator can act on, never the SDK's provider chain or a stack trace. */
class ErrorLinesTest {
    @Test
    void anUnreachableEndpoint_isNamed_inOneLine() {
        // GIVEN an endpoint where nothing listens, with a region and credentials so only the connection can fail
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SluiceCli.commandLine(new CloudBackends(Map.of()), new BufferedReader(new StringReader("")));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String previousKey = System.setProperty("aws.accessKeyId", "test");
        String previousSecret = System.setProperty("aws.secretAccessKey", "test");
        int code;
        try {
            // WHEN the operator asks for stats
            code = cli.execute("dlq", "stats", "--aws-queue", "orders-dlq", "--endpoint", "http://127.0.0.1:1",
                    "--region", "eu-west-1");
        } finally {
            restore("aws.accessKeyId", previousKey);
            restore("aws.secretAccessKey", previousSecret);
        }

        // THEN one line names the endpoint, and the exit code is a failure, not a usage error
        assertThat(code).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString().strip()).startsWith("error: cannot reach http://127.0.0.1:1: ")
                .doesNotContain("\n").doesNotContain("\tat ");
    }

    @Test
    void aMissingRegion_namesTheFlagAndTheVariable_insteadOfTheProviderChain() {
        SdkClientException sdk = SdkClientException.create("Unable to load region from any of the providers in the chain "
                + "software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain@5a2e4553: "
                + "[SystemSettingsRegionProvider: Unable to load region from system settings., ...]");

        assertThat(ErrorLines.describe(sdk, null)).isEqualTo("no AWS region: pass --region or set AWS_REGION");
    }

    @Test
    void missingCredentials_nameTheFlagAndTheVariables() {
        SdkClientException sdk = SdkClientException.create("Unable to load credentials from any of the providers in the "
                + "chain AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(), ...])");

        assertThat(ErrorLines.describe(sdk, null))
                .isEqualTo("no AWS credentials: pass --profile, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void anUnreachableHostWithoutAnEndpointFlag_saysWhichRegionsEndpoint() {
        CommandLine cli = SluiceCli.commandLine(options -> { throw new IllegalStateException(); },
                new BufferedReader(new StringReader("")));
        CommandLine.ParseResult parse = cli.parseArgs("dlq", "stats", "--aws-queue", "q", "--region", "eu-west-1");
        SdkClientException sdk = SdkClientException.create("Unable to execute HTTP request: Connection refused",
                new ConnectException("Connection refused"));

        assertThat(ErrorLines.describe(sdk, parse))
                .startsWith("cannot reach the SQS endpoint of region eu-west-1: Connection refused");
    }

    @Test
    void anyOtherError_isItsMessage_redactedAndEscaped() {
        RuntimeException failure = new RuntimeException("queue for ops@example.com\u001b[2J gone");

        assertThat(ErrorLines.describe(failure, null)).isEqualTo("queue for [REDACTED_EMAIL]\\u001b[2J gone");
    }

    private static void restore(String name, String previous) {
        if (previous == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, previous);
        }
    }
}
