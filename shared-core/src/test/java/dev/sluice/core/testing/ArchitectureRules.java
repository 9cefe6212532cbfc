package dev.sluice.core.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The architecture rules every Sluice module runs over its own classes (main and test): a module uses
 * another module's public API and SPI, never its {@code internal} package.
 */
public final class ArchitectureRules {
    private ArchitectureRules() {}

    /**
     * @param modulePackage the module's root package, e.g. {@code dev.sluice.aws}
     * @return the classes of that package and its sub-packages on the test class path, tests included
     */
    public static JavaClasses classesOf(String modulePackage) {
        return new ClassFileImporter().importPackages(modulePackage);
    }

    /**
     * @param modulePackage the module's root package, e.g. {@code dev.sluice.aws}
     * @return the rule that no class of that module depends on a type in another module's {@code internal}
     *     package ({@code dev.sluice.<module>.internal} and below)
     */
    public static ArchRule noModuleUsesAnotherModulesInternals(String modulePackage) {
        return noClasses().that().resideInAPackage(modulePackage + "..")
                .should().dependOnClassesThat(otherModulesInternals(modulePackage))
                .because("a module uses another module's API or SPI; what an adapter needs is promoted, not imported"
                        + " from internal");
    }

    private static DescribedPredicate<JavaClass> otherModulesInternals(String modulePackage) {
        return DescribedPredicate.describe("reside in another Sluice module's internal package", c -> {
            String p = c.getPackageName();
            boolean internal = p.startsWith("dev.sluice.") && (p.endsWith(".internal") || p.contains(".internal."));
            boolean own = p.equals(modulePackage) || p.startsWith(modulePackage + ".");
            return internal && !own;
        });
    }
}
