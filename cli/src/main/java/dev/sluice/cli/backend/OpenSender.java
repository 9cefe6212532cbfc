package dev.sluice.cli.backend;

import dev.sluice.core.sender.MessageSender;

/** A sender the CLI opened for one command, with the client it owns; close it when done. */
public interface OpenSender extends MessageSender, AutoCloseable {
    /** @return whether it signs (the environment set {@code SLUICE_SIGNING_KEYS}) */
    boolean signing();

    @Override
    void close();
}
