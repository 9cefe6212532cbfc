package dev.sluice.aws.testing;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/** Fails the next {@code n} calls of the given operations before they are sent, as a broken network would. */
public final class FailureInjector implements ExecutionInterceptor {
    private final Set<String> operations;
    private final AtomicInteger remaining = new AtomicInteger();

    /** @param operations operation names, e.g. {@code TransactWriteItems} */
    public FailureInjector(String... operations) {
        this.operations = Set.of(operations);
    }

    /** @param n how many of the next matching calls fail */
    public void failNext(int n) {
        remaining.set(n);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (operations.contains(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw SdkClientException.create("injected failure: connection reset");
        }
    }
}
