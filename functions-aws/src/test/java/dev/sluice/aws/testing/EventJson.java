package dev.sluice.aws.testing;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads SQS events the way the Lambda Java runtime does: {@code aws-lambda-java-serialization}. */
public final class EventJson {
    private EventJson() {}

    /**
     * @param json an SQS event as Lambda sends it
     * @return the event
     */
    public static SQSEvent sqsEvent(String json) {
        PojoSerializer<SQSEvent> serializer = LambdaEventSerializers.serializerFor(SQSEvent.class, EventJson.class.getClassLoader());
        return serializer.fromJson(json);
    }

    /**
     * @param resource a classpath resource, e.g. {@code /events/sqs-standard.json}
     * @return its text
     */
    public static String resource(String resource) {
        try (InputStream in = EventJson.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
