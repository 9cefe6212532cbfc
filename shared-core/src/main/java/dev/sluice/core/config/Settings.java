package dev.sluice.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The raw settings by variable name, and the checks that turn them into typed values. Every failure is a
 * {@link ConfigurationException} naming the variable.
 */
final class Settings {
    private final Map<String, String> values;

    Settings(Map<String, String> values) {
        this.values = values;
    }

    String required(String name) {
        String value = optional(name);
        if (value == null) {
            throw new ConfigurationException(name, "is required but not set");
        }
        return value;
    }

    @Nullable String optional(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    long wholeNumber(String name, long min, long max) {
        // set but blank (e.g. "QUEUE_MAX_RETRY_ATTEMPTS=" in a template) is a bad value, not "use the default"
        String value = Objects.requireNonNullElse(optional(name), "");
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "expected a whole number between " + min + " and " + max + ", got '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigurationException(name, "expected a whole number between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
    }

    /**
     * @param path the file {@code SLUICE_CONFIG_FILE} names, or null for {@code sluice.properties} at the
     *     class path's root
     * @return its properties, or null when there is no such resource
     */
    static @Nullable Properties loadProperties(@Nullable String path) {
        Properties properties = new Properties();
        try {
            if (path != null && !path.isBlank()) {
                try (Reader reader = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
                    properties.load(reader);
                }
                return properties;
            }
            try (InputStream in = Settings.class.getClassLoader().getResourceAsStream("sluice.properties")) {
                if (in == null) {
                    return null;
                }
                properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                return properties;
            }
        } catch (IOException e) {
            throw new ConfigurationException(SluiceConfig.SLUICE_CONFIG_FILE, "cannot read '" + path + "': " + e.getMessage());
        }
    }
}
