package dev.sluice.azure.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class the run's {@link LocalCosmos}: {@code @RegisterExtension static LocalCosmosExtension COSMOS = new LocalCosmosExtension();}
 * then {@code COSMOS.get()}.
 */
public final class LocalCosmosExtension implements BeforeAllCallback {
    private volatile LocalCosmos cosmos;

    @Override
    public void beforeAll(ExtensionContext context) {
        cosmos = LocalCosmos.of(context);
    }

    /** @return the run's local Cosmos server and client */
    public LocalCosmos get() {
        if (cosmos == null) {
            throw new IllegalStateException("register LocalCosmosExtension as a static field with @RegisterExtension");
        }
        return cosmos;
    }
}
