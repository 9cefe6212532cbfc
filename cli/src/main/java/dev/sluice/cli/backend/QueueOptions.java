package dev.sluice.cli.backend;

import dev.sluice.core.security.TerminalText;
import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Which dead-letter queue: on AWS or on Azure Service Bus (exactly one). */
public final class QueueOptions {
    /** AWS: the consumer queue (its DLQ is found through its redrive policy) or the DLQ itself. */
    public static final class Aws {
        @Option(names = "--aws-queue", required = true, paramLabel = "<url|name>",
                description = "Consumer queue or its DLQ, as URL or name.")
        public String queue = "";

        @Option(names = "--region", description = "AWS region (default: the SDK's region chain).")
        public @Nullable String region;

        @Option(names = "--profile", description = "AWS profile (default: the SDK's credential chain).")
        public @Nullable String profile;

        @Option(names = "--endpoint", paramLabel = "<url>", converter = EndpointConverter.class,
                description = "SQS endpoint with scheme and host, e.g. http://localhost:9324 for a local ElasticMQ.")
        public @Nullable URI endpoint;
    }

    /** Azure Service Bus: a namespace and a queue. */
    public static final class ServiceBus {
        @Option(names = "--servicebus", required = true, paramLabel = "<namespace>",
                description = "Service Bus namespace (name or FQDN). Credentials: managed identity / Azure CLI, "
                        + "or SERVICEBUS_CONNECTION_STRING from the environment.")
        public String namespace = "";

        @Option(names = "--queue", required = true, description = "The consumer queue.")
        public String queue = "";

        @Option(names = "--parking", description = "Use <queue>-parking instead of the queue's $DeadLetterQueue.")
        public boolean parking;
    }

    /** Converts {@code --endpoint}: an absolute URI with a scheme and a host. */
    public static final class EndpointConverter implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            URI uri;
            try {
                uri = new URI(value.trim());
            } catch (URISyntaxException e) {
                throw new TypeConversionException("'" + TerminalText.escape(value) + "' is not a URL (e.g. http://localhost:9324)");
            }
            if (uri.getScheme() == null || uri.getHost() == null || uri.getHost().isBlank()) {
                throw new TypeConversionException("'" + TerminalText.escape(value) + "' is not a URL with a scheme and a host (e.g. http://localhost:9324)");
            }
            return uri;
        }
    }

    @ArgGroup(exclusive = false, heading = "AWS:%n")
    public @Nullable Aws aws;

    @ArgGroup(exclusive = false, heading = "Azure Service Bus:%n")
    public @Nullable ServiceBus serviceBus;
}
