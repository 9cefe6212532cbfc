package dev.sluice.cli.internal;

import dev.sluice.core.security.Redactor;
import dev.sluice.core.security.TerminalText;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;

/**
 * Turns a failure into the one line an operator acts on: an unreachable endpoint is named, a missing region or
 * missing credentials name the flag and the variables that supply them, instead of the SDK's provider chain.
 * Anything else is the failure's own message. Every line is redacted, then escaped for the terminal.
 */
public final class ErrorLines {
    private ErrorLines() {}

    /**
     * @param failure what went wrong
     * @param parse the command line as parsed (for the endpoint, region and namespace the operator named), or null
     * @return one line, without the {@code error:} prefix
     */
    public static String describe(Throwable failure, CommandLine.@Nullable ParseResult parse) {
        String chain = messages(failure);
        String line;
        if (chain.contains("Unable to load region")) {
            line = "no AWS region: pass --region or set AWS_REGION";
        } else if (chain.contains("Unable to load credentials") || chain.contains("Profile file contained no credentials")) {
            line = "no AWS credentials" + option(parse, "--profile").map(p -> " for profile '" + p + "'").orElse("")
                    + ": pass --profile, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
        } else if (unreachable(failure)) {
            String where = option(parse, "--endpoint")
                    .or(() -> option(parse, "--servicebus").map(ns -> "Service Bus namespace " + ns))
                    .or(() -> option(parse, "--region").map(r -> "the SQS endpoint of region " + r))
                    .orElse("the provider's endpoint");
            line = "cannot reach " + where + ": " + rootMessage(failure) + " (check the address, the network and any proxy)";
        } else {
            line = String.valueOf(failure.getMessage());
        }
        return TerminalText.escape(Redactor.standard().redact(line));
    }

    private static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof HttpConnectTimeoutException
                    || t instanceof java.net.NoRouteToHostException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String messages(Throwable failure) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = failure; t != null && sb.length() < 8192; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    private static java.util.Optional<String> option(CommandLine.@Nullable ParseResult parse, String name) {
        for (CommandLine.ParseResult pr = parse; pr != null; pr = pr.subcommand()) {
            CommandLine.Model.OptionSpec spec = pr.matchedOption(name);
            if (spec != null && spec.getValue() != null) {
                return java.util.Optional.of(String.valueOf((Object) spec.getValue()));
            }
        }
        return java.util.Optional.empty();
    }
}
