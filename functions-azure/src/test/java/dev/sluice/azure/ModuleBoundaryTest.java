package dev.sluice.azure;

import dev.sluice.core.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** This module uses other modules' API and SPI only, never their {@code internal} packages. */
class ModuleBoundaryTest {
    @Test
    void noOtherModulesInternalsAreUsed() {
        ArchitectureRules.noModuleUsesAnotherModulesInternals("dev.sluice.azure").check(ArchitectureRules.classesOf("dev.sluice.azure"));
    }
}
