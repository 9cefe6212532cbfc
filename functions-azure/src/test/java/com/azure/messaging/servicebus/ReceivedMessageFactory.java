package com.azure.messaging.servicebus;

import com.azure.core.util.BinaryData;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * Builds {@link ServiceBusReceivedMessage}s for mapping tests: the SDK keeps their constructor and
 * setters package-private, so this lives in the SDK's package (test classpath only).
 */
public final class ReceivedMessageFactory {
    private ReceivedMessageFactory() {}

    /**
     * @param body the body
     * @param messageId the message id
     * @param sessionId the session id
     * @param properties application properties
     * @param enqueuedTime the enqueued time
     * @param deliveryCount the delivery count
     * @param lockToken the lock token
     * @return the message as a receiver would hand it out
     */
    public static ServiceBusReceivedMessage received(byte[] body, String messageId, String sessionId, Map<String, Object> properties,
                                                     OffsetDateTime enqueuedTime, long deliveryCount, UUID lockToken) {
        ServiceBusReceivedMessage message = new ServiceBusReceivedMessage(BinaryData.fromBytes(body));
        message.setMessageId(messageId);
        message.setSessionId(sessionId);
        message.setCorrelationId("corr-1");
        message.setContentType("application/json");
        message.getApplicationProperties().putAll(properties);
        message.setEnqueuedTime(enqueuedTime);
        message.setDeliveryCount(deliveryCount);
        message.setLockToken(lockToken);
        return message;
    }
}
