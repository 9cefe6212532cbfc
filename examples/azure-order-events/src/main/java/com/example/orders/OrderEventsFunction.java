package com.example.orders;

import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.ServiceBusQueueTrigger;
import dev.sluice.azure.ServiceBusBatch;
import dev.sluice.azure.ServiceBusBatchConsumer;
import dev.sluice.core.codec.JsonCodec;
import java.util.Map;

/**
 * The Azure Function: a Service Bus batch trigger that hands each batch to Sluice. App settings (set by
 * the Bicep deployment): {@code QUEUE_NAME}, {@code ServiceBusConnection__fullyQualifiedNamespace},
 * {@code COSMOS_ENDPOINT}, {@code COSMOS_DATABASE}, {@code IDEMPOTENCY_CONTAINER}, and the retry settings.
 */
public class OrderEventsFunction {
    /** Built once per function instance, on first use; a bad setting fails here, naming the setting. */
    private static final class Consumer {
        static final ServiceBusBatchConsumer<Order> INSTANCE =
                ServiceBusBatchConsumer.fromEnvironment(JsonCodec.of(Order.class), new OrderHandler());
    }

    /**
     * Processes one batch. Returning lets the host complete the batch (retries and dead letters were
     * re-published by Sluice); a {@link dev.sluice.azure.RepublishException} or, on a session queue, a
     * {@link dev.sluice.azure.SessionRetryException} propagates so the host abandons it and Service Bus redelivers it.
     *
     * @param bodies the message bodies, exactly as sent (a binary binding: nothing is decoded or replaced on the way)
     * @param messageIds the host's {@code MessageIdArray}
     * @param deliveryCounts the host's {@code DeliveryCountArray}
     * @param properties the host's {@code ApplicationPropertiesArray}
     * @param sessionIds the host's {@code SessionIdArray}
     * @param enqueuedTimes the host's {@code EnqueuedTimeUtcArray}
     * @param correlationIds the host's {@code CorrelationIdArray}
     */
    @FunctionName("OrderEvents")
    public void run(
            @ServiceBusQueueTrigger(name = "messages", queueName = "%QUEUE_NAME%", connection = "ServiceBusConnection",
                    cardinality = Cardinality.MANY, dataType = "binary") byte[][] bodies,
            @BindingName("MessageIdArray") String[] messageIds,
            @BindingName("DeliveryCountArray") int[] deliveryCounts,
            @BindingName("ApplicationPropertiesArray") Map<String, Object>[] properties,
            @BindingName("SessionIdArray") String[] sessionIds,
            @BindingName("EnqueuedTimeUtcArray") String[] enqueuedTimes,
            @BindingName("CorrelationIdArray") String[] correlationIds) {
        Consumer.INSTANCE.process(ServiceBusBatch.builder()
                .bodies(bodies).messageIds(messageIds).deliveryCounts(deliveryCounts).applicationProperties(properties)
                .sessionIds(sessionIds).enqueuedTimesUtc(enqueuedTimes).correlationIds(correlationIds)
                .build());
    }
}
