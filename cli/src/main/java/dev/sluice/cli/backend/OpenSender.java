package dev.sluice.cli.backend;

import dev.sluice.core.sender.MessageSender;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendResult;
import java.util.List;

/** A sender the CLI opened for one command, with the client it owns; close it when done. */
public interface OpenSender extends MessageSender, AutoCloseable {
    /** @return whether it signs (the environment set {@code SLUICE_SIGNING_KEYS}) */
    boolean signing();

    @Override
    void close();

    /**
     * @param sender the sender
     * @param signing whether it signs
     * @param client what to close with it
     * @return them as one
     */
    static OpenSender of(MessageSender sender, boolean signing, AutoCloseable client) {
        return new OpenSender() {
            @Override
            public List<SendResult> sendAll(List<OutboundMessage> messages) {
                return sender.sendAll(messages);
            }

            @Override
            public boolean signing() {
                return signing;
            }

            @Override
            public void close() {
                try {
                    client.close();
                } catch (Exception e) {
                    // the command's result is already known; a failed close changes nothing for the operator
                }
            }
        };
    }
}
