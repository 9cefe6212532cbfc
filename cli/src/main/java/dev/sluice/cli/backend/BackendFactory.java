package dev.sluice.cli.backend;

/** Opens the back end the options name; tests substitute their own. */
@FunctionalInterface
public interface BackendFactory {
    /**
     * @param options the queue options
     * @return an open back end
     * @throws IllegalArgumentException when the options name no queue
     */
    DlqBackend open(QueueOptions options);
}
