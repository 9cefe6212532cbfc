package dev.sluice.tests.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.SqsBatchConsumer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * One Lambda instance of the chaos run: the Sluice consumer behind a function that can die. When the
 * {@link CrashingStore} kills the instance mid-batch, its SQS client refuses every further request (no
 * visibility change, no dead-letter send), and once the pipeline returns the function throws, so the event
 * source mapping treats the invocation as failed and deletes nothing: the whole batch comes back after the
 * visibility timeout, as after a real crash. Otherwise it records which messages it acknowledged.
 */
final class ChaosFunction implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final AtomicBoolean dead = new AtomicBoolean();
    private final ChaosLedger ledger;
    private SqsBatchConsumer<?> consumer;

    ChaosFunction(ChaosLedger ledger) {
        this.ledger = ledger;
    }

    /** @return the flag the instance's store and SQS client share */
    AtomicBoolean dead() {
        return dead;
    }

    /** @return an interceptor for the instance's own SQS client: a dead process sends nothing */
    ExecutionInterceptor deadProcessSendsNothing() {
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                                        ExecutionAttributes attributes) {
                if (dead.get()) {
                    throw SdkClientException.create("process crashed before " + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                }
            }
        };
    }

    ChaosFunction consumer(Function<ChaosFunction, SqsBatchConsumer<?>> build) {
        this.consumer = build.apply(this);
        return this;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        SQSBatchResponse response = consumer.handle(event, context);
        if (dead.getAndSet(false)) {
            ledger.crashedInvocation();
            throw new IllegalStateException("simulated crash: the instance died before acknowledging its batch");
        }
        Set<String> failed = new HashSet<>();
        response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
        event.getRecords().stream().map(SQSEvent.SQSMessage::getMessageId).filter(id -> !failed.contains(id))
                .forEach(ledger::acknowledged);
        return response;
    }
}
