package dev.sluice.cli;

import dev.sluice.cli.backend.BackendFactory;
import dev.sluice.cli.backend.CloudBackends;
import dev.sluice.cli.internal.DemoCommand;
import dev.sluice.cli.internal.DlqCommands;
import dev.sluice.cli.internal.ErrorLines;
import dev.sluice.cli.internal.SendCommand;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code sluice} command. Exit codes are in {@link ExitCodes}; every command has {@code --help}
 * and {@code --output json}.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
        description = "Serverless queue consumers that never lose a message and never apply one twice.")
public final class SluiceCli {
    private SluiceCli() {}

    /**
     * @param backends opens dead-letter queues and senders
     * @param input the operator's answers to confirmation questions; the body of {@code send} without {@code --file}
     * @return the command line, ready to execute
     */
    public static CommandLine commandLine(BackendFactory backends, BufferedReader input) {
        CommandLine cli = new CommandLine(new SluiceCli());
        // the demo's redrive runs through this command line, as an operator's would, on local engines only
        cli.addSubcommand(new DemoCommand(
                () -> commandLine(new CloudBackends(Map.of()), new BufferedReader(new StringReader("")))));
        cli.addSubcommand(new DlqCommands(backends, input));
        cli.addSubcommand(new SendCommand(backends, input));
        // after the subcommands, so it reaches them: --kind poison, -o JSON
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // one actionable line; a provider's error may quote dead-letter content: redacted, then escaped
            commandLine.getErr().println("error: " + ErrorLines.describe(ex, parseResult));
            return ExitCodes.FAILURE;
        });
        return cli;
    }

    /** @param args the command line */
    public static void main(String[] args) {
        // the embedded engines log at INFO; an operator wants Sluice's own output
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int code = commandLine(new CloudBackends(), stdin).execute(args);
        System.exit(code);
    }
}
