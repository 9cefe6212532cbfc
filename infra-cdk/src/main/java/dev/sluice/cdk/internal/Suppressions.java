package dev.sluice.cdk.internal;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
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

    /** AwsSolutions-IAM5 on the function role, for the X-Ray write actions only. */
    public static final String XRAY_WRITES_ID = "AwsSolutions-IAM5";
    static final String XRAY_WRITES_APPLIES_TO = "Resource::*";
    static final String XRAY_WRITES_REASON = "With tracing on, Lambda's active tracing needs "
            + "xray:PutTraceSegments and xray:PutTelemetryRecords, which X-Ray does not scope to a resource "
            + "(AWS documents Resource \"*\" for both); only these write actions get the wildcard, every other "
            + "grant of the role names its resource.";

    /** AwsSolutions-S1 on the payload bucket the construct creates. */
    public static final String PAYLOAD_ACCESS_LOGS_ID = "AwsSolutions-S1";
    static final String PAYLOAD_ACCESS_LOGS_REASON = "The claim-check bucket holds transient message payloads "
            + "that the function reads and deletes with its own role; every access is already in the function's "
            + "logs and, with CloudTrail data events, in the account's trail. Server access logs would need a "
            + "second bucket per consumer; add them by passing your own bucket with payloadBucket(...).";

    /** AwsSolutions-IAM5 on the payload access policy, for the bucket's objects only. */
    public static final String PAYLOAD_OBJECTS_ID = "AwsSolutions-IAM5";
    static final String PAYLOAD_OBJECTS_APPLIES_TO = "/^Resource::.+\\/\\*$/";
    static final String PAYLOAD_OBJECTS_REASON = "Producers choose the object key of each payload, so the "
            + "function's s3:GetObject and s3:DeleteObject name the payload bucket's objects (<bucket ARN>/*); "
            + "the policy holds only these two object actions on that one bucket, no List and no bucket action.";

    private Suppressions() {
    }

    /** Accepts AwsSolutions-L1 on the function. */
    public static void javaRuntime(IConstruct function) {
        suppress(function, JAVA_21_RUNTIME_ID, JAVA_21_RUNTIME_REASON);
    }

    /** Accepts AwsSolutions-IAM5 for the wildcard resource of the X-Ray write actions on the role. */
    public static void xrayWrites(IConstruct role) {
        NagSuppressions.addResourceSuppressions(role, List.of(NagPackSuppression.builder().id(XRAY_WRITES_ID)
                .reason(XRAY_WRITES_REASON).appliesTo(List.of(XRAY_WRITES_APPLIES_TO)).build()), true);
    }

    /** Accepts AwsSolutions-S1 (no server access logs) on the created payload bucket. */
    public static void payloadBucketAccessLogs(IConstruct bucket) {
        // the bucket resource only, not its TLS-only bucket policy
        NagSuppressions.addResourceSuppressions(bucket, List.of(NagPackSuppression.builder()
                .id(PAYLOAD_ACCESS_LOGS_ID).reason(PAYLOAD_ACCESS_LOGS_REASON).build()), false);
    }

    /** Accepts AwsSolutions-IAM5 for the {@code <bucket ARN>/*} resource of the payload access policy. */
    public static void payloadObjects(IConstruct policy) {
        NagSuppressions.addResourceSuppressions(policy, List.of(NagPackSuppression.builder().id(PAYLOAD_OBJECTS_ID)
                .reason(PAYLOAD_OBJECTS_REASON)
                .appliesTo(List.of(RegexAppliesTo.builder().regex(PAYLOAD_OBJECTS_APPLIES_TO).build()))
                .build()), true);
    }

    private static void suppress(IConstruct construct, String id, String reason) {
        NagSuppressions.addResourceSuppressions(construct,
                List.of(NagPackSuppression.builder().id(id).reason(reason).build()), true);
    }
}
