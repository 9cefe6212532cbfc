package dev.sluice.aws;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.aws");

    @Test
    void internalTypes_doNotAppearInPublicSignatures() {
        methods().that().arePublic().and().areDeclaredInClassesThat().resideOutsideOfPackage("..internal..")
                .and().areDeclaredInClassesThat().arePublic()
                .should().notHaveRawReturnType(com.tngtech.archunit.base.DescribedPredicate.describe("an internal type",
                        (com.tngtech.archunit.core.domain.JavaClass c) -> c.getPackageName().contains(".internal")))
                .check(classes);
    }

    @Test
    void onlyTheConfigLoader_readsTheEnvironment() {
        noClasses().that().doNotHaveFullyQualifiedName(AwsConfig.class.getName())
                .should().callMethod(System.class, "getenv")
                .orShould().callMethod(System.class, "getenv", String.class)
                .check(classes);
    }

    @Test
    void theLocalEventSourceMapping_isNotUsedByTheAdapter() {
        noClasses().that().resideInAnyPackage("dev.sluice.aws", "dev.sluice.aws.internal")
                .should().dependOnClassesThat().resideInAnyPackage("dev.sluice.aws.local..")
                .check(classes);
    }
}
