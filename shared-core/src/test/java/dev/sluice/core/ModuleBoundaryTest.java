package dev.sluice.core;

import dev.sluice.core.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** This module uses other modules' API and SPI only, never their {@code internal} packages. */
class ModuleBoundaryTest {
    @Test
    void noOtherModulesInternalsAreUsed() {
        ArchitectureRules.noModuleUsesAnotherModulesInternals("dev.sluice.core").check(ArchitectureRules.classesOf("dev.sluice.core"));
    }
}
