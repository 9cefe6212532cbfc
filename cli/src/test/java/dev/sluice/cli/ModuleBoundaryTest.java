package dev.sluice.cli;

import dev.sluice.core.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** This module uses other modules' API and SPI only, never their {@code internal} packages. */
class ModuleBoundaryTest {
    @Test
    void noOtherModulesInternalsAreUsed() {
        ArchitectureRules.noModuleUsesAnotherModulesInternals("dev.sluice.cli").check(ArchitectureRules.classesOf("dev.sluice.cli"));
    }
}
