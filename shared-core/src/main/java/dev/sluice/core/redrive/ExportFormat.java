package dev.sluice.core.redrive;

/**
 * The dead-letter export format, JSON Lines: one object per dead letter with these fields. Written by
 * {@link DeadLetterInspection#exportJsonLines} and read back by {@link ExportFileSource}, its one reader.
 */
public final class ExportFormat {
    /** The provider's id of the dead letter (string). */
    public static final String PROVIDER_MESSAGE_ID = "provider_message_id";
    /** The message's stable id (string): {@link SluiceAttributes#ORIGINAL_MESSAGE_ID}, else the provider's id. */
    public static final String ORIGINAL_MESSAGE_ID = "original_message_id";
    /** When it entered the dead-letter queue (ISO-8601 instant). */
    public static final String ENQUEUED_AT = "enqueued_at";
    /** Its attributes, envelope included (an object of strings). */
    public static final String ATTRIBUTES = "attributes";
    /** The exact body bytes, base64 (standard alphabet, padded). */
    public static final String BODY_BASE64 = "body_base64";

    private ExportFormat() {}
}
