package dev.sluice.azure.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class the run's {@link LocalAzurite}: {@code @RegisterExtension static LocalAzuriteExtension AZURITE = new LocalAzuriteExtension();}
 * then {@code AZURITE.get()}.
 */
public final class LocalAzuriteExtension implements BeforeAllCallback {
    private volatile LocalAzurite azurite;

    @Override
    public void beforeAll(ExtensionContext context) {
        azurite = LocalAzurite.of(context);
    }

    /** @return the run's Azurite */
    public LocalAzurite get() {
        if (azurite == null) {
            throw new IllegalStateException("register LocalAzuriteExtension as a static field with @RegisterExtension");
        }
        return azurite;
    }
}
