package dev.sluice.cli.backend;

import java.util.Map;

/** Opens the AWS or Service Bus back end the options name. */
public final class CloudBackends implements BackendFactory {
    /** The environment variable holding a Service Bus connection string (else Entra ID is used). */
    public static final String SERVICEBUS_CONNECTION_STRING = "SERVICEBUS_CONNECTION_STRING";

    private final Map<String, String> environment;

    /** Reads the process environment: the CLI's one place for it. */
    public CloudBackends() {
        this(System.getenv());
    }

    /** @param environment variables (tests pass their own) */
    public CloudBackends(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public DlqBackend open(QueueOptions options) {
        if (options.aws != null) {
            return SqsDlqBackend.open(options.aws);
        }
        if (options.serviceBus != null) {
            return ServiceBusDlqBackend.open(options.serviceBus, environment.get(SERVICEBUS_CONNECTION_STRING));
        }
        throw new IllegalArgumentException("name a queue: --aws-queue, or --servicebus with --queue");
    }
}
