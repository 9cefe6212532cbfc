package dev.sluice.cdk.internal;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.constructs.IConstruct;

/**
 * Every cdk-nag finding the construct accepts, each with the reason it is accepted. Kept in one
 * place so the list can be reviewed (and is documented in docs/deploy.md).
 */
public final class Suppressions {

    /** AwsSolutions-L1 on the consumer function. */
    public static final String JAVA_21_RUNTIME_ID = "AwsSolutions-L1";
    static final String JAVA_21_RUNTIME_REASON = "Sluice is compiled for Java 21 (--release 21) and the "
            + "design pins the Lambda runtime to java21, the LTS runtime SnapStart and the toolkit are "
            + "tested on; the rule only asks for the newest runtime of the family (java25).";

    /** AwsSolutions-SNS2 on the alarm topic the construct creates. */
    public static final String ALARM_TOPIC_SSE_ID = "AwsSolutions-SNS2";
    static final String ALARM_TOPIC_SSE_REASON = "The topic carries only CloudWatch alarm state changes "
            + "(alarm name, metric, threshold), never message data; CloudWatch cannot publish to a topic "
            + "encrypted with the AWS-managed SNS key, so SSE would need a customer-managed KMS key for "
            + "no data worth protecting. In transit, the topic policy enforces TLS (AwsSolutions-SNS3). "
            + "Pass alarmTopic(...) to use an encrypted topic of your own.";

    private Suppressions() {
    }

    /** Accepts AwsSolutions-L1 on the function. */
    public static void javaRuntime(IConstruct function) {
        suppress(function, JAVA_21_RUNTIME_ID, JAVA_21_RUNTIME_REASON);
    }

    /** Accepts AwsSolutions-SNS2 on the alarm topic. */
    public static void alarmTopicEncryption(IConstruct topic) {
        suppress(topic, ALARM_TOPIC_SSE_ID, ALARM_TOPIC_SSE_REASON);
    }

    private static void suppress(IConstruct construct, String id, String reason) {
        NagSuppressions.addResourceSuppressions(construct,
                List.of(NagPackSuppression.builder().id(id).reason(reason).build()), true);
    }
}
