package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.sluice.core.testing.ArchitectureRules;
import dev.sluice.fixture.boundary.UsesCoreInternals;
import dev.sluice.fixture.boundary.UsesOwnInternals;
import org.junit.jupiter.api.Test;

/** The module boundary rule every module runs: it flags a use of another module's internal package. */
class ArchitectureRulesTest {
    private static final String MODULE = "dev.sluice.fixture.boundary";

    @Test
    void aClassUsingAnotherModulesInternalTypeBreaksTheRule() {
        var classes = new ClassFileImporter().importClasses(UsesCoreInternals.class);

        assertThatThrownBy(() -> ArchitectureRules.noModuleUsesAnotherModulesInternals(MODULE).check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("UsesCoreInternals")
                .hasMessageContaining("dev.sluice.core.internal.Lanes");
    }

    @Test
    void aModulesOwnInternalPackageIsAllowed() {
        var classes = new ClassFileImporter().importClasses(UsesOwnInternals.class);

        assertThatCode(() -> ArchitectureRules.noModuleUsesAnotherModulesInternals(MODULE).check(classes))
                .doesNotThrowAnyException();
    }
}
