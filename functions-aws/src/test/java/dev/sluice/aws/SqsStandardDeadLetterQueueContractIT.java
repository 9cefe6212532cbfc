package dev.sluice.aws;

/** The dead-letter-queue contract on a standard (not FIFO) SQS queue and its DLQ. */
class SqsStandardDeadLetterQueueContractIT extends SqsDeadLetterQueueContractIT {
    @Override
    boolean fifo() {
        return false;
    }
}
