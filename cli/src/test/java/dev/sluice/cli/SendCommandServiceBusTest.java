package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ServiceBusMessageSender;
import dev.sluice.cli.backend.BackendFactory;
import dev.sluice.cli.backend.OpenSender;
import dev.sluice.cli.backend.QueueOptions;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.sender.MessageSender;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sluice send --servicebus}: the options reach a {@link ServiceBusMessageSender} (a recording publisher stands in for the namespace). */
class SendCommandServiceBusTest {
    private final List<String> queues = new CopyOnWriteArrayList<>();
    private final List<OutgoingMessage> published = new CopyOnWriteArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private final BackendFactory backends = new BackendFactory() {
        @Override
        public dev.sluice.core.redrive.DeadLetterQueue open(QueueOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OpenSender sender(QueueOptions options) {
            MessageSender sender = ServiceBusMessageSender.builder().queue(options.serviceBus.queue)
                    .publisher((queue, messages) -> {
                        queues.add(queue);
                        published.addAll(messages);
                    }).build();
            return OpenSender.of(sender, false, () -> { });
        }
    };

    private int run(String stdin, String... args) {
        CommandLine cli = SluiceCli.commandLine(backends, new BufferedReader(new StringReader(stdin)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void send_toServiceBus_setsSessionCorrelationAndSchedule_andPrintsTheMessageId() throws Exception {
        Instant before = Instant.now();

        int code = run("{\"orderId\":\"o-1\"}", "send", "--servicebus", "my-ns", "--queue", "orders", "--type", "order",
                "--group", "customer-7", "--correlation-id", "c-1", "--delay", "5m", "-o", "json");

        assertThat(code).as(err.toString()).isZero();
        JsonNode printed = new ObjectMapper().readTree(out.toString());
        assertThat(queues).containsExactly("orders");
        assertThat(published).singleElement().satisfies(m -> {
            assertThat(m.messageId()).isEqualTo(printed.get("provider_message_id").asText())
                    .isEqualTo(printed.get("sluice_message_id").asText());
            assertThat(m.sessionId()).isEqualTo("customer-7");
            assertThat(m.correlationId()).isEqualTo("c-1");
            assertThat(m.scheduledEnqueueTime()).isAfterOrEqualTo(before.plus(Duration.ofMinutes(5)));
            assertThat(m.applicationProperties()).containsEntry(SluiceAttributes.MESSAGE_TYPE, "order")
                    .containsEntry(SluiceAttributes.CORRELATION_ID, "c-1");
        });
    }

    @Test
    void parking_isAUsageError_forSend() {
        assertThat(run("x", "send", "--servicebus", "my-ns", "--queue", "orders", "--parking")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--parking");
        assertThat(published).isEmpty();
    }
}
