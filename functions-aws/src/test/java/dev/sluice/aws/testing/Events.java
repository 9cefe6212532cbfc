package dev.sluice.aws.testing;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link SQSEvent}s as Lambda delivers them. */
public final class Events {
    /** The ARN records come from unless a test says otherwise. */
    public static final String QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:order-events";

    private Events() {}

    /**
     * @param id message id
     * @param body body
     * @param attributes string message attributes
     * @return a first-delivery record from {@link #QUEUE_ARN}
     */
    public static SQSEvent.SQSMessage record(String id, String body, Map<String, String> attributes) {
        return record(id, body, attributes, QUEUE_ARN);
    }

    /**
     * @param id the message id
     * @param body the body
     * @param attributes string message attributes
     * @param queueArn the queue the record comes from
     * @return a first-delivery record from {@code queueArn}
     */
    public static SQSEvent.SQSMessage record(String id, String body, Map<String, String> attributes, String queueArn) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(id);
        record.setReceiptHandle("receipt-" + id);
        record.setBody(body);
        record.setEventSource("aws:sqs");
        record.setEventSourceArn(queueArn);
        record.setAwsRegion("us-east-1");
        record.setAttributes(new LinkedHashMap<>(Map.of("ApproximateReceiveCount", "1", "SentTimestamp", "1700000000000")));
        Map<String, SQSEvent.MessageAttribute> typed = new LinkedHashMap<>();
        attributes.forEach((name, value) -> {
            SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
            attribute.setDataType("String");
            attribute.setStringValue(value);
            typed.put(name, attribute);
        });
        record.setMessageAttributes(typed);
        return record;
    }

    /**
     * @param records records
     * @return an event holding them
     */
    public static SQSEvent of(SQSEvent.SQSMessage... records) {
        SQSEvent event = new SQSEvent();
        event.setRecords(new ArrayList<>(List.of(records)));
        return event;
    }
}
