package dev.sluice.tests.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSessionReceiverClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import dev.sluice.azure.CosmosIdempotencyStore;
import dev.sluice.azure.ServiceBusBatch;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.ServiceBusBatchConsumer;
import dev.sluice.azure.ServiceBusMessaging;
import dev.sluice.azure.testing.LocalCosmosExtension;
import dev.sluice.azure.testing.Order;
import dev.sluice.azure.testing.ServiceBusEmulator;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The session-backlog chaos scenario on the Service Bus emulator (Testcontainers) instead of the broker model:
 * sessions of 30 orders delivered 8 at a time by a host over the SDK's session receiver (complete on return, abandon on
 * throw, as the Functions host does), idempotency on the local Cosmos server. Skipped without Docker. No worker
 * crashes here (a crash needs the host to die; the broker-model run covers them).
 */
class AzureServiceBusEmulatorChaosIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    private static final String QUEUE = "orders";
    private static final String PARKING = "orders-parking";
    private static final int BATCH = 8;
    private static final int MAX_ATTEMPTS = 4;
    private static ServiceBusEmulator emulator;
    private static ServiceBusMessaging messaging;

    @BeforeAll
    static void startEmulator() {
        emulator = ServiceBusEmulator.start(ServiceBusEmulator.queue(QUEUE, 64, true, false),
                ServiceBusEmulator.queue(PARKING, 10, false, false));
        messaging = emulator.messaging();
    }

    @AfterAll
    static void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void guardMode_sessionBacklogsBeyondABatch_onTheEmulator_orderKept_nothingLost() {
        // GIVEN 600 orders in 20 sessions of 30 with the chaos mix, batches of 8, short backoffs
        ChaosLedger ledger = ChaosLedger.plan(600, 30, 2028);
        BatchProcessor<Order> processor = BatchProcessor.<Order>builder()
                .queueName(QUEUE)
                .handler(handler(ledger))
                .codec(JsonCodec.of(Order.class))
                .retryPolicy(RetryPolicy.exponential(MAX_ATTEMPTS, Duration.ofMillis(200), Duration.ofMillis(800)))
                .idempotency(IdempotencyOptions.builder()
                        .store(CosmosIdempotencyStore.builder().container(COSMOS.get().newContainer("sluice-sb-chaos")).build())
                        .mode(IdempotencyMode.GUARD).keyPointer("/orderId").lease(Duration.ofSeconds(20)).build())
                .circuitBreaker(0, Duration.ofSeconds(30))
                .logSink(event -> { })
                .build();
        ServiceBusBatchConsumer<Order> consumer = ServiceBusBatchConsumer.<Order>builder()
                .processor(processor).publisher(messaging).parkingQueue(PARKING).logSink(event -> { }).build();
        messaging.publish(QUEUE, ledger.messagesToSend());

        // WHEN a host drains the sessions, one session batch at a time
        int invocations = drain(consumer);
        ledger.collectEnd(receiveAll(PARKING), receiveAll(QUEUE + "/$DeadLetterQueue"));
        System.out.println(ledger.report("Azure chaos on the Service Bus emulator, session backlogs of 30 in batches of 8",
                invocations, 0));

        // THEN nothing is lost, order holds, no effect ran twice, each EXHAUSTED dead letter ran exactly MAX_ATTEMPTS times
        assertThat(ledger.lost()).isEmpty();
        assertThat(ledger.orderViolations()).isEmpty();
        assertThat(ledger.effects).allSatisfy((key, n) -> assertThat(n.get()).as(key).isEqualTo(1));
        assertThat(ledger.brokerDeadLettered).isEmpty();
        assertThat(ledger.executionsBehindExhausted())
                .allSatisfy((key, executions) -> assertThat(executions).as(key).isEqualTo(MAX_ATTEMPTS));
    }

    private static MessageHandler<Order> handler(ChaosLedger ledger) {
        return (message, context) -> {
            String key = message.body().orderId();
            if (ledger.handlerRanAndFails(key)) {
                throw new IllegalStateException("payment service timed out");
            }
            ledger.effect(key, message.groupKey().orElseThrow());
        };
    }

    /** The Functions host's loop: accept the next session, deliver up to 8, complete on return, abandon on throw. */
    private static int drain(ServiceBusBatchConsumer<Order> consumer) {
        int invocations = 0;
        try (ServiceBusSessionReceiverClient sessions = new ServiceBusClientBuilder()
                .connectionString(emulator.connectionString())
                .retryOptions(new AmqpRetryOptions().setTryTimeout(Duration.ofSeconds(10)).setMaxRetries(0))
                .sessionReceiver().queueName(QUEUE).receiveMode(ServiceBusReceiveMode.PEEK_LOCK).disableAutoComplete()
                .buildClient()) {
            Instant idleSince = null;
            while (invocations < 20_000) {
                ServiceBusReceiverClient session;
                try {
                    session = sessions.acceptNextSession();
                } catch (RuntimeException noSession) {
                    if (idleSince == null) {
                        idleSince = Instant.now();
                    } else if (Duration.between(idleSince, Instant.now()).toSeconds() > 30) {
                        return invocations;
                    }
                    continue;
                }
                idleSince = null;
                try (session) {
                    List<ServiceBusReceivedMessage> sdk = new ArrayList<>();
                    session.receiveMessages(BATCH, Duration.ofSeconds(2)).forEach(sdk::add);
                    if (sdk.isEmpty()) {
                        continue;
                    }
                    invocations++;
                    boolean failed = false;
                    try {
                        consumer.process(bind(sdk));
                    } catch (RuntimeException e) {
                        failed = true;
                    }
                    for (ServiceBusReceivedMessage m : sdk) {
                        if (failed) {
                            session.abandon(m);
                        } else {
                            session.complete(m);
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("still busy after " + invocations + " invocations");
    }

    /** The trigger's arrays for a batch, as the host binds them (bodies as bytes). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ServiceBusBatch bind(List<ServiceBusReceivedMessage> batch) {
        int n = batch.size();
        byte[][] bodies = new byte[n][];
        String[] ids = new String[n];
        int[] deliveryCounts = new int[n];
        java.util.Map<String, Object>[] properties = new java.util.Map[n];
        String[] sessions = new String[n];
        for (int i = 0; i < n; i++) {
            ServiceBusReceivedMessage m = batch.get(i);
            bodies[i] = m.getBody().toBytes();
            ids[i] = m.getMessageId();
            deliveryCounts[i] = (int) m.getDeliveryCount();
            properties[i] = new java.util.LinkedHashMap<>(m.getApplicationProperties());
            sessions[i] = m.getSessionId();
        }
        return ServiceBusBatch.builder().bodies(bodies).messageIds(ids).deliveryCounts(deliveryCounts)
                .applicationProperties(properties).sessionIds(sessions).build();
    }

    private static List<ReceivedMessage> receiveAll(String path) {
        List<ReceivedMessage> all = new ArrayList<>();
        for (List<ReceivedMessage> batch = messaging.receive(path, 100, Duration.ofSeconds(3)); !batch.isEmpty();
             batch = messaging.receive(path, 100, Duration.ofSeconds(3))) {
            batch.forEach(m -> messaging.complete(path, m));
            all.addAll(batch);
        }
        return all;
    }
}
