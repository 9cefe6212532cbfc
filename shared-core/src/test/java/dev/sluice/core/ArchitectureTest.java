package dev.sluice.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.sluice.core.config.SluiceConfig;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.core");

    @Test
    void coreDependsOnNoCloudSdk() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "software.amazon..", "com.amazonaws..", "com.azure..", "com.microsoft..")
                .check(CORE);
    }

    @Test
    void coreDependsOnlyOnTheJdkJacksonSlf4jJspecifyAndTheOpenTelemetryApi() {
        noClasses().should().dependOnClassesThat(new DescribedPredicate<JavaClass>("are outside the allowed libraries") {
            @Override
            public boolean test(JavaClass c) {
                String p = c.getPackageName();
                return !(p.startsWith("java.") || p.startsWith("javax.crypto") || p.startsWith("dev.sluice.core")
                        || p.startsWith("com.fasterxml.jackson.") || p.startsWith("org.slf4j")
                        || p.startsWith("org.jspecify") || p.isEmpty()
                        // the API only: io.opentelemetry.sdk is not allowed
                        || p.startsWith("io.opentelemetry.api") || p.startsWith("io.opentelemetry.context"));
            }
        }).check(CORE);
    }

    @Test
    void publicSignaturesOutsideInternalExposeNoInternalType() {
        methods().that().areDeclaredInClassesThat().resideOutsideOfPackage("..internal..")
                .and().arePublic()
                .and().areDeclaredInClassesThat().arePublic()
                .should(new ArchCondition<>("not mention an internal type in their signature") {
                    @Override
                    public void check(com.tngtech.archunit.core.domain.JavaMethod method, ConditionEvents events) {
                        boolean leaks = method.getRawReturnType().getPackageName().contains(".internal")
                                || method.getRawParameterTypes().stream().anyMatch(t -> t.getPackageName().contains(".internal"));
                        if (leaks) {
                            events.add(SimpleConditionEvent.violated(method, method.getFullName() + " exposes an internal type"));
                        }
                    }
                })
                .allowEmptyShould(true)
                .check(CORE);
    }

    @Test
    void coreNeverReadsTheEnvironmentOutsideTheConfigLoader() {
        noClasses().that().doNotHaveSimpleName("SluiceConfig")
                .should().callMethod(System.class, "getenv")
                .orShould().callMethod(System.class, "getenv", String.class)
                .check(CORE);
    }
}
