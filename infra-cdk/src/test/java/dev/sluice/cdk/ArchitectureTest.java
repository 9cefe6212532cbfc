package dev.sluice.cdk;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.core.domain.JavaMethod;
import org.junit.jupiter.api.Test;

/** The public API of the construct never exposes {@code dev.sluice.cdk.internal}. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.cdk");

    private static final DescribedPredicate<JavaClass> INTERNAL =
            JavaClass.Predicates.resideInAPackage("dev.sluice.cdk.internal..");

    @Test
    void publicMethods_neitherTakeNorReturnInternalTypes() {
        methods().that().areDeclaredInClassesThat().resideOutsideOfPackage("dev.sluice.cdk.internal..")
                .and().arePublic()
                .should(new ArchCondition<JavaMethod>("not mention internal types in their signature") {
                    @Override
                    public void check(JavaMethod method, ConditionEvents events) {
                        boolean leaks = INTERNAL.test(method.getRawReturnType())
                                || method.getRawParameterTypes().stream().anyMatch(INTERNAL);
                        if (leaks && method.getOwner().getModifiers().contains(JavaModifier.PUBLIC)) {
                            events.add(SimpleConditionEvent.violated(method, method.getFullName()));
                        }
                    }
                })
                .check(CLASSES);
    }
}
