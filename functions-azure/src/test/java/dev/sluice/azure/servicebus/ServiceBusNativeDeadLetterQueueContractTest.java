package dev.sluice.azure.servicebus;

/** The dead-letter-queue contract on the broker model's native {@code $DeadLetterQueue}. */
class ServiceBusNativeDeadLetterQueueContractTest extends ServiceBusDeadLetterQueueContractTest {
    @Override
    boolean parking() {
        return false;
    }
}
