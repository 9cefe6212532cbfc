package dev.sluice.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import com.azure.messaging.servicebus.administration.models.QueueRuntimeProperties;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.servicebus.models.SubQueue;
import dev.sluice.azure.internal.ServiceBusMessages;
import dev.sluice.core.redrive.QueueStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@link MessagePublisher}, {@link QueueReader} and {@link QueueInspector} on the Azure SDK ({@code azure-messaging-servicebus}):
 * one AMQP connection, one sender per queue, peek-lock receivers without prefetch. Authenticates with
 * managed identity ({@code DefaultAzureCredential}) or, for local development, a connection string.
 * Create it once per function instance (a static field) and reuse it; it is thread-safe.
 */
public final class ServiceBusMessaging implements MessagePublisher, QueueReader, QueueInspector, AutoCloseable {
    private final ServiceBusClientBuilder clients;
    private final Supplier<ServiceBusAdministrationClient> administration;
    private volatile @Nullable ServiceBusAdministrationClient admin;
    private final Map<String, ServiceBusSenderClient> senders = new ConcurrentHashMap<>();
    private final Map<String, ServiceBusReceiverClient> receivers = new ConcurrentHashMap<>();
    private final Map<String, ServiceBusReceivedMessage> locked = new ConcurrentHashMap<>();

    private ServiceBusMessaging(ServiceBusClientBuilder clients, Supplier<ServiceBusAdministrationClient> administration) {
        this.clients = clients;
        this.administration = administration;
    }

    /**
     * @param config the Azure settings
     * @return messaging through managed identity when {@link AzureConfig#serviceBusNamespace()} is set,
     *     else through the connection string
     */
    public static ServiceBusMessaging fromConfig(AzureConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.serviceBusNamespace().isPresent()) {
            DefaultAzureCredentialBuilder credential = new DefaultAzureCredentialBuilder();
            config.managedIdentityClientId().ifPresent(credential::managedIdentityClientId);
            return withCredential(config.serviceBusNamespace().get(), credential.build());
        }
        return withConnectionString(config.serviceBusConnectionString().orElseThrow());
    }

    /**
     * @param fullyQualifiedNamespace e.g. {@code orders.servicebus.windows.net}
     * @param credential e.g. a managed identity credential
     * @return messaging on that namespace
     */
    public static ServiceBusMessaging withCredential(String fullyQualifiedNamespace, TokenCredential credential) {
        return new ServiceBusMessaging(new ServiceBusClientBuilder()
                .fullyQualifiedNamespace(Objects.requireNonNull(fullyQualifiedNamespace, "fullyQualifiedNamespace"))
                .credential(Objects.requireNonNull(credential, "credential")),
                () -> new ServiceBusAdministrationClientBuilder().credential(fullyQualifiedNamespace, credential).buildClient());
    }

    /**
     * @param connectionString a namespace connection string (local emulators, development)
     * @return messaging on that namespace
     */
    public static ServiceBusMessaging withConnectionString(String connectionString) {
        return new ServiceBusMessaging(new ServiceBusClientBuilder()
                .connectionString(Objects.requireNonNull(connectionString, "connectionString")),
                () -> new ServiceBusAdministrationClientBuilder().connectionString(connectionString).buildClient());
    }

    @Override
    public void publish(String queue, List<OutgoingMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        ServiceBusSenderClient sender = senders.computeIfAbsent(queue, q -> clients.sender().queueName(q).buildClient());
        Set<String> rejected = new LinkedHashSet<>();
        RuntimeException refusal = null;
        // one batch send is one atomic transfer; a batch that fills up is sent and the next one started, in order
        ServiceBusMessageBatch batch = sender.createMessageBatch();
        List<OutgoingMessage> inBatch = new ArrayList<>();
        for (OutgoingMessage message : messages) {
            ServiceBusMessage sdk;
            try {
                sdk = ServiceBusMessages.toSdk(message);
            } catch (IllegalArgumentException e) {
                rejected.add(message.messageId());
                refusal = e;
                continue;
            }
            if (!batch.tryAddMessage(sdk)) {
                send(sender, batch, inBatch, rejected);
                batch = sender.createMessageBatch();
                inBatch.clear();
                if (!batch.tryAddMessage(sdk)) {
                    // larger than Service Bus takes, whatever else the batch holds
                    rejected.add(message.messageId());
                    continue;
                }
            }
            inBatch.add(message);
        }
        if (batch.getCount() > 0) {
            send(sender, batch, inBatch, rejected);
        }
        if (!rejected.isEmpty()) {
            throw new MessageRejectedException(queue, rejected, refusal);
        }
    }

    private static void send(ServiceBusSenderClient sender, ServiceBusMessageBatch batch, List<OutgoingMessage> inBatch,
                             Set<String> rejected) {
        try {
            sender.sendMessages(batch);
        } catch (ServiceBusException e) {
            if (e.getReason() != ServiceBusFailureReason.MESSAGE_SIZE_EXCEEDED) {
                throw e;
            }
            if (inBatch.size() == 1) {
                rejected.add(inBatch.getFirst().messageId());
                return;
            }
            // the broker measures differently from the client: one at a time tells which messages it refuses
            for (OutgoingMessage message : List.copyOf(inBatch)) {
                ServiceBusMessageBatch single = sender.createMessageBatch();
                single.tryAddMessage(ServiceBusMessages.toSdk(message));
                send(sender, single, List.of(message), rejected);
            }
        }
    }

    @Override
    public List<ReceivedMessage> receive(String path, int max, Duration wait) {
        ServiceBusReceiverClient receiver = receivers.computeIfAbsent(path, this::newReceiver);
        List<ReceivedMessage> received = new ArrayList<>();
        for (ServiceBusReceivedMessage sdk : receiver.receiveMessages(max, wait)) {
            ReceivedMessage message = ServiceBusMessages.fromSdk(sdk);
            locked.put(message.lockToken(), sdk);
            received.add(message);
        }
        return received;
    }

    @Override
    public void complete(String path, ReceivedMessage message) {
        ServiceBusReceivedMessage sdk = held(message);
        receivers.get(path).complete(sdk);
        locked.remove(message.lockToken());
    }

    @Override
    public void abandon(String path, ReceivedMessage message) {
        ServiceBusReceivedMessage sdk = held(message);
        receivers.get(path).abandon(sdk);
        locked.remove(message.lockToken());
    }

    /** Counts through the administration client (HTTPS), created on first use. */
    @Override
    public QueueStats stats(String path) {
        ServiceBusAdministrationClient client = admin;
        if (client == null) {
            client = administration.get();
            admin = client;
        }
        if (path.endsWith(DEAD_LETTER_SUFFIX)) {
            QueueRuntimeProperties p = client.getQueueRuntimeProperties(path.substring(0, path.length() - DEAD_LETTER_SUFFIX.length()));
            return new QueueStats(path, p.getDeadLetterMessageCount(), 0, null);
        }
        QueueRuntimeProperties p = client.getQueueRuntimeProperties(path);
        return new QueueStats(path, p.getActiveMessageCount(), 0, null);
    }

    /** Peeks through a receiver of its own, closed after the peek. */
    @Override
    public List<ReceivedMessage> peek(String path, int max) {
        List<ReceivedMessage> peeked = new ArrayList<>();
        try (ServiceBusReceiverClient receiver = newReceiver(path)) {
            for (ServiceBusReceivedMessage sdk : receiver.peekMessages(max)) {
                peeked.add(ServiceBusMessages.fromSdk(sdk));
            }
        }
        return peeked;
    }

    @Override
    public void close() {
        senders.values().forEach(ServiceBusSenderClient::close);
        receivers.values().forEach(ServiceBusReceiverClient::close);
        senders.clear();
        receivers.clear();
    }

    private ServiceBusReceivedMessage held(ReceivedMessage message) {
        ServiceBusReceivedMessage sdk = locked.get(message.lockToken());
        if (sdk == null) {
            throw new IllegalStateException("message " + message.messageId() + " was not received by this client or is settled");
        }
        return sdk;
    }

    private ServiceBusReceiverClient newReceiver(String path) {
        var builder = clients.receiver()
                .receiveMode(ServiceBusReceiveMode.PEEK_LOCK)
                .prefetchCount(0)
                .disableAutoComplete();
        if (path.endsWith(DEAD_LETTER_SUFFIX)) {
            builder.queueName(path.substring(0, path.length() - DEAD_LETTER_SUFFIX.length())).subQueue(SubQueue.DEAD_LETTER_QUEUE);
        } else {
            builder.queueName(path);
        }
        return builder.buildClient();
    }
}
