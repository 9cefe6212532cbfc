package dev.sluice.aws.testing;

import dev.sluice.core.redrive.SluiceAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.InvalidAttributeValueException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Makes the engine refuse dead letters that carry a full envelope whose error message contains a marker, the
 * way SQS refuses an attribute value it does not accept: a batch entry failure
 * ({@code SenderFault=true, Code=InvalidAttributeValue}, as ElasticMQ and SQS answer for a control character),
 * or, when every entry of the request is refused, an {@code InvalidAttributeValueException} for the request.
 * Refused entries never reach the engine. Also records the SQS requests it saw.
 */
public final class DeadLetterRefusal implements ExecutionInterceptor {
    private static final ExecutionAttribute<List<String>> REFUSED = new ExecutionAttribute<>("sluice-refused-entries");

    private final String marker;
    private final List<SdkRequest> requests = new CopyOnWriteArrayList<>();

    /** @param marker dead letters whose {@code sluice-error-message} contains it are refused */
    public DeadLetterRefusal(String marker) {
        this.marker = marker;
    }

    /** @return the visibility changes sent so far */
    public List<ChangeMessageVisibilityBatchRequest> visibilityChanges() {
        return requests.stream().filter(ChangeMessageVisibilityBatchRequest.class::isInstance)
                .map(ChangeMessageVisibilityBatchRequest.class::cast).toList();
    }

    /** @return the dead-letter batches sent so far, refused entries included */
    public List<SendMessageBatchRequest> sendBatches() {
        return requests.stream().filter(SendMessageBatchRequest.class::isInstance).map(SendMessageBatchRequest.class::cast).toList();
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        requests.add(context.request());
        if (!(context.request() instanceof SendMessageBatchRequest batch)) {
            return context.request();
        }
        List<SendMessageBatchRequestEntry> kept = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (SendMessageBatchRequestEntry entry : batch.entries()) {
            var message = entry.messageAttributes().get(SluiceAttributes.ERROR_MESSAGE);
            if (message != null && message.stringValue().contains(marker)) {
                refused.add(entry.id());
            } else {
                kept.add(entry);
            }
        }
        if (kept.isEmpty()) {
            throw InvalidAttributeValueException.builder().statusCode(400).message("InvalidMessageContents")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidAttributeValue")
                            .errorMessage("InvalidMessageContents").serviceName("Sqs").build())
                    .build();
        }
        attributes.putAttribute(REFUSED, refused);
        return batch.toBuilder().entries(kept).build();
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        List<String> refused = attributes.getAttribute(REFUSED);
        if (refused == null || refused.isEmpty() || !(context.response() instanceof SendMessageBatchResponse response)) {
            return context.response();
        }
        List<BatchResultErrorEntry> failed = new ArrayList<>(response.failed());
        refused.forEach(id -> failed.add(BatchResultErrorEntry.builder().id(id).senderFault(true)
                .code("InvalidAttributeValue").message("InvalidMessageContents").build()));
        return response.toBuilder().failed(failed).build();
    }
}
