package dev.sluice.tests;

import dev.sluice.core.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** This module uses other modules' API and SPI only, never their {@code internal} packages. */
class ModuleBoundaryTest {
    @Test
    void noOtherModulesInternalsAreUsed() {
        ArchitectureRules.noModuleUsesAnotherModulesInternals("dev.sluice.tests").check(ArchitectureRules.classesOf("dev.sluice.tests"));
    }
}
