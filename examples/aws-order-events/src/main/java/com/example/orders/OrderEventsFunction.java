package com.example.orders;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.SqsBatchConsumer;

/**
 * The Lambda function: an SQS event source mapping (with {@code ReportBatchItemFailures}) hands it each
 * batch, and it hands the batch to Sluice. Environment (set by the CDK construct): {@code QUEUE_NAME},
 * {@code QUEUE_DLQ_NAME}, {@code IDEMPOTENCY_TABLE}, and the retry settings; {@code sluice.properties}
 * adds the idempotency key.
 */
public final class OrderEventsFunction implements RequestHandler<SQSEvent, SQSBatchResponse> {
    /**
     * Built once, while Lambda initialises the function (so a SnapStart snapshot holds it, primed), and
     * reused by every invocation; a bad setting fails here, naming the variable.
     */
    private static final SqsBatchConsumer<Order> CONSUMER = SqsBatchConsumer.builder(Order.class)
            .fromEnvironment()
            .handler(new OrderHandler())
            .build();

    /**
     * Processes one batch: retries and dead letters are settled by Sluice, and the response lists the
     * messages SQS must deliver again.
     *
     * @param event the SQS batch
     * @param context the invocation (its remaining time bounds the batch)
     * @return the partial batch response
     */
    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return CONSUMER.handle(event, context);
    }
}
