package dev.sluice.core.config;

import dev.sluice.core.SluiceException;

/** A setting is missing or invalid. Thrown at start-up; the message names the variable or property. */
public class ConfigurationException extends SluiceException {
    private static final long serialVersionUID = 1L;
    private final String setting;

    /**
     * @param setting the environment variable or builder property at fault
     * @param problem what is wrong with it
     */
    public ConfigurationException(String setting, String problem) {
        super(setting + ": " + problem);
        this.setting = setting;
    }

    /** @return the environment variable or builder property at fault */
    public String setting() {
        return setting;
    }
}
