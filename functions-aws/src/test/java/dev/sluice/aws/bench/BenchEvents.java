package dev.sluice.aws.bench;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Batches of order events, as Lambda delivers them. */
final class BenchEvents {
    private BenchEvents() {}

    static SQSEvent orders(String prefix, int size) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(prefix + "-msg-" + i);
            record.setReceiptHandle("receipt-" + prefix + "-" + i);
            record.setBody("{\"orderId\":\"" + prefix + "-" + i + "\",\"customerId\":\"c-1\",\"amount\":" + (10 + i) + "}");
            record.setEventSource("aws:sqs");
            record.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:order-events");
            record.setAwsRegion("us-east-1");
            record.setAttributes(Map.of("ApproximateReceiveCount", "1", "SentTimestamp", Long.toString(System.currentTimeMillis())));
            record.setMessageAttributes(Map.of());
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    /** The same batch as Lambda's JSON, for the cold-start child processes. */
    static String ordersJson(String prefix, int size) {
        StringBuilder json = new StringBuilder("{\"Records\":[");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                json.append(',');
            }
            String body = "{\\\"orderId\\\":\\\"" + prefix + "-" + i + "\\\",\\\"customerId\\\":\\\"c-1\\\",\\\"amount\\\":" + (10 + i) + "}";
            json.append("{\"messageId\":\"").append(prefix).append("-msg-").append(i)
                    .append("\",\"receiptHandle\":\"r-").append(i)
                    .append("\",\"body\":\"").append(body)
                    .append("\",\"attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1700000000000\"},")
                    .append("\"messageAttributes\":{},\"md5OfBody\":\"x\",\"eventSource\":\"aws:sqs\",")
                    .append("\"eventSourceARN\":\"arn:aws:sqs:us-east-1:000000000000:order-events\",\"awsRegion\":\"us-east-1\"}");
        }
        return json.append("]}").toString();
    }
}
