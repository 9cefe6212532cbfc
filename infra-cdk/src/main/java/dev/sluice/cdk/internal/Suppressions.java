package dev.sluice.cdk.internal;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.constructs.IConstruct;

/**
 * Every cdk-nag finding the construct accepts, each with the reason it is accepted. Kept in one
 * place so the list can be reviewed; docs/deploy.md lists the same (a test keeps them in step).
 */
public final class Suppressions {

    /** AwsSolutions-L1 on the consumer function. */
    public static final String JAVA_21_RUNTIME_ID = "AwsSolutions-L1";
    static final String JAVA_21_RUNTIME_REASON = "Sluice is built for Java 21 (--release 21) and its "
            + "design pins the consumer to the java21 managed runtime, an LTS runtime with SnapStart "
            + "support; the rule only flags that a newer runtime of the family (java25) exists. The "
            + "runtime moves when Sluice raises its Java baseline.";

    private Suppressions() {
    }

    /** Accepts AwsSolutions-L1 on the function. */
    public static void javaRuntime(IConstruct function) {
        suppress(function, JAVA_21_RUNTIME_ID, JAVA_21_RUNTIME_REASON);
    }

    private static void suppress(IConstruct construct, String id, String reason) {
        NagSuppressions.addResourceSuppressions(construct,
                List.of(NagPackSuppression.builder().id(id).reason(reason).build()), true);
    }
}
