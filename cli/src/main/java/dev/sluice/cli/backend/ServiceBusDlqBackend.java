package dev.sluice.cli.backend;

import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import com.azure.messaging.servicebus.administration.models.QueueRuntimeProperties;
import com.azure.messaging.servicebus.models.SubQueue;
import dev.sluice.azure.MessagePublisher;
import dev.sluice.azure.QueueReader;
import dev.sluice.azure.ServiceBusMessaging;
import dev.sluice.azure.ServiceBusRedrive;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.RedriveTarget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Service Bus queue's {@code $DeadLetterQueue}, or its {@code <queue>-parking} queue, redriven to the queue.
 * Browsing peeks (no lock, no delivery count change); redrive goes through {@link ServiceBusRedrive}.
 */
public final class ServiceBusDlqBackend implements DlqBackend {
    /** Counts and peeks, the parts the redrive ports do not cover. */
    public interface Inspector extends AutoCloseable {
        /** @param path a queue or dead-letter path @return its stats */
        QueueStats stats(String path);

        /** @param path a queue or dead-letter path @param max the most @return peeked dead letters */
        List<DeadLetter> peek(String path, int max);

        @Override
        void close();
    }

    private final String queue;
    private final String sourcePath;
    private final DeadLetterSource source;
    private final RedriveTarget target;
    private final Inspector inspector;
    private final AutoCloseable messaging;

    /**
     * @param queue the consumer queue
     * @param parking read {@code <queue>-parking} instead of the dead-letter sub-queue
     * @param reader receives in peek-lock mode
     * @param publisher sends copies back
     * @param inspector counts and peeks
     * @param messaging closed with this back end
     */
    public ServiceBusDlqBackend(String queue, boolean parking, QueueReader reader, MessagePublisher publisher, Inspector inspector,
                                AutoCloseable messaging) {
        this.queue = Objects.requireNonNull(queue, "queue");
        ServiceBusRedrive redrive = ServiceBusRedrive.of(reader, publisher);
        this.sourcePath = parking ? queue + "-parking" : QueueReader.deadLetterQueueOf(queue);
        this.source = parking ? redrive.parkingQueue(queue + "-parking") : redrive.deadLetterQueue(queue);
        this.target = redrive.queue(queue);
        this.inspector = inspector;
        this.messaging = messaging;
    }

    /**
     * @param options the Service Bus options
     * @param connectionString a connection string from the environment, or null for Entra ID (managed identity,
     *     Azure CLI login, ...)
     * @return a back end on the Azure SDK
     */
    public static ServiceBusDlqBackend open(QueueOptions.ServiceBus options, String connectionString) {
        String fqdn = options.namespace.contains(".") ? options.namespace : options.namespace + ".servicebus.windows.net";
        ServiceBusMessaging messaging;
        ServiceBusAdministrationClient admin;
        ServiceBusClientBuilder clients;
        if (connectionString != null && !connectionString.isBlank()) {
            messaging = ServiceBusMessaging.withConnectionString(connectionString);
            admin = new ServiceBusAdministrationClientBuilder().connectionString(connectionString).buildClient();
            clients = new ServiceBusClientBuilder().connectionString(connectionString);
        } else {
            var credential = new DefaultAzureCredentialBuilder().build();
            messaging = ServiceBusMessaging.withCredential(fqdn, credential);
            admin = new ServiceBusAdministrationClientBuilder().credential(fqdn, credential).buildClient();
            clients = new ServiceBusClientBuilder().fullyQualifiedNamespace(fqdn).credential(credential);
        }
        return new ServiceBusDlqBackend(options.queue, options.parking, messaging, messaging,
                new SdkInspector(admin, clients, options.queue), messaging);
    }

    @Override
    public QueueStats stats() {
        return inspector.stats(sourcePath);
    }

    @Override
    public List<DeadLetter> browse(int max) {
        return inspector.peek(sourcePath, max);
    }

    @Override
    public DeadLetterSource source() {
        return source;
    }

    @Override
    public RedriveTarget target() {
        return target;
    }

    @Override
    public void close() {
        inspector.close();
        try {
            messaging.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }

    @Override
    public String toString() {
        return "ServiceBusDlqBackend[" + queue + " <- " + sourcePath + "]";
    }

    private static final class SdkInspector implements Inspector {
        private final ServiceBusAdministrationClient admin;
        private final ServiceBusClientBuilder clients;
        private final String queue;

        SdkInspector(ServiceBusAdministrationClient admin, ServiceBusClientBuilder clients, String queue) {
            this.admin = admin;
            this.clients = clients;
            this.queue = queue;
        }

        @Override
        public QueueStats stats(String path) {
            if (path.endsWith(QueueReader.DEAD_LETTER_SUFFIX)) {
                QueueRuntimeProperties p = admin.getQueueRuntimeProperties(queue);
                return new QueueStats(path, p.getDeadLetterMessageCount(), 0, null);
            }
            QueueRuntimeProperties p = admin.getQueueRuntimeProperties(path);
            return new QueueStats(path, p.getActiveMessageCount(), 0, null);
        }

        @Override
        public List<DeadLetter> peek(String path, int max) {
            boolean deadLetter = path.endsWith(QueueReader.DEAD_LETTER_SUFFIX);
            var receiver = clients.receiver().queueName(deadLetter ? queue : path);
            if (deadLetter) {
                receiver.subQueue(SubQueue.DEAD_LETTER_QUEUE);
            }
            List<DeadLetter> letters = new ArrayList<>();
            try (ServiceBusReceiverClient client = receiver.buildClient()) {
                for (ServiceBusReceivedMessage m : client.peekMessages(max)) {
                    Map<String, String> properties = new LinkedHashMap<>();
                    m.getApplicationProperties().forEach((k, v) -> {
                        if (v != null) {
                            properties.put(k, v.toString());
                        }
                    });
                    Instant enqueued = m.getEnqueuedTime() == null ? Instant.EPOCH : m.getEnqueuedTime().toInstant();
                    letters.add(new DeadLetter(Long.toString(m.getSequenceNumber()), m.getMessageId(), m.getBody().toBytes(),
                            properties, enqueued));
                }
            }
            return letters;
        }

        @Override
        public void close() {
            // the administration client holds no connection; receivers are closed per peek
        }
    }
}
