package dev.sluice.cli.internal;

import dev.sluice.cli.ExitCodes;
import dev.sluice.cli.backend.BackendFactory;
import dev.sluice.cli.backend.OpenSender;
import dev.sluice.cli.backend.QueueOptions;
import dev.sluice.core.security.TerminalText;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sluice send}: one message with the headers a Sluice consumer reads, signed when keys are in the environment. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Send one message (body from --file or standard input) with Sluice's headers; signed with the first "
                + "key of SLUICE_SIGNING_KEYS when it is set. Prints the provider's message id.")
public final class SendCommand implements Callable<Integer> {
    private final BackendFactory backends;
    private final BufferedReader input;

    @Spec CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    QueueOptions queue = new QueueOptions();

    @Option(names = "--file", paramLabel = "<path>", description = "The body (default: standard input).")
    @Nullable Path file;

    @Option(names = "--type", description = "message-type.")
    @Nullable String type;

    @Option(names = "--schema-version", description = "schema-version.")
    @Nullable String schemaVersion;

    @Option(names = "--correlation-id", description = "correlation-id.")
    @Nullable String correlationId;

    @Option(names = "--idempotency-key", description = "idempotency-key (else the consumer's pointer or sluice-message-id).")
    @Nullable String idempotencyKey;

    @Option(names = "--group", description = "FIFO message group (SQS) or session id (Service Bus).")
    @Nullable String group;

    @Option(names = "--delay", converter = Durations.class, paramLabel = "<duration>",
            description = "Deliver after this long (90s, 15m; at most 900s on SQS).")
    @Nullable Duration delay;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output = OutputFormat.text;

    /**
     * @param backends opens the sender
     * @param input standard input, the body when there is no {@code --file}
     */
    public SendCommand(BackendFactory backends, BufferedReader input) {
        this.backends = backends;
        this.input = input;
    }

    @Override
    public Integer call() {
        OutboundMessage message = message(body());
        if (queue.serviceBus != null && queue.serviceBus.parking) {
            throw usage("--parking applies to the dlq commands only");
        }
        if (queue.aws != null && message.delay().compareTo(Duration.ofSeconds(900)) > 0) {
            throw usage("--delay must be at most 900s on SQS, got " + message.delay().toSeconds() + "s");
        }
        try (OpenSender sender = backends.sender(queue)) {
            SendResult result = sender.send(message);
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("status", result instanceof SendResult.Sent ? "sent" : "failed");
                json.put("sluice_message_id", result.messageId());
                json.put("provider_message_id", result instanceof SendResult.Sent sent ? sent.providerMessageId() : null);
                json.put("signed", sender.signing());
                json.put("reason", result instanceof SendResult.Failed failed ? failed.reason() : null);
                out.println(Json.write(json));
            }
            return switch (result) {
                case SendResult.Sent sent -> {
                    if (output == OutputFormat.text) {
                        out.println(TerminalText.escape(sent.providerMessageId()));
                    }
                    yield ExitCodes.OK;
                }
                case SendResult.Failed failed -> {
                    spec.commandLine().getErr().println("error: not sent: " + TerminalText.escape(failed.reason()));
                    yield ExitCodes.FAILURE;
                }
            };
        }
    }

    private byte[] body() {
        if (file != null) {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw usage("--file: cannot read " + TerminalText.escape(file.toString()) + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        StringWriter text = new StringWriter();
        try {
            input.transferTo(text);
        } catch (IOException e) {
            throw usage("cannot read the body from standard input: " + e.getMessage());
        }
        if (text.getBuffer().isEmpty()) {
            throw usage("no body: give --file, or pipe the body on standard input");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private OutboundMessage message(byte[] body) {
        OutboundMessage.Builder b = OutboundMessage.builder().body(body);
        try {
            b.messageType(nonBlank("--type", type)).schemaVersion(nonBlank("--schema-version", schemaVersion))
                    .correlationId(nonBlank("--correlation-id", correlationId))
                    .idempotencyKey(nonBlank("--idempotency-key", idempotencyKey)).groupId(nonBlank("--group", group));
            if (delay != null) {
                b.delay(delay);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private @Nullable String nonBlank(String flag, @Nullable String value) {
        if (value != null && value.isBlank()) {
            throw usage(flag + " must not be blank");
        }
        return value;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
