package dev.sluice.core.redrive;

/**
 * The dead-letter export format, JSON Lines: one object per dead letter with these fields. Written by
 * {@link DeadLetterInspection#exportJsonLines} and read back by {@link ExportFileSource}, its one reader. A line holds
 * everything the provider said about the dead letter: body bytes, typed attributes, group or session, content type,
 * system properties and the envelope (in the attributes), so a restore loses nothing.
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
    /**
     * Every attribute with its data type (an object of objects): {@value #DATA_TYPE} and either {@value #STRING_VALUE}
     * or, for binary ones, {@value #BINARY_BASE64}. Absent in exports written before it existed; then the text
     * attributes are read as strings.
     */
    public static final String TYPED_ATTRIBUTES = "typed_attributes";
    /** A typed attribute's data type, see {@link AttributeValue}. */
    public static final String DATA_TYPE = "data_type";
    /** A string or number attribute's text. */
    public static final String STRING_VALUE = "string_value";
    /** A binary attribute's bytes, base64. */
    public static final String BINARY_BASE64 = "binary_base64";
    /** The SQS FIFO message group or Service Bus session id (string, absent when none). */
    public static final String GROUP_ID = "group_id";
    /** The content type (string, absent when none). */
    public static final String CONTENT_TYPE = "content_type";
    /** The provider's system properties (an object of strings), kept for the record. */
    public static final String SYSTEM_PROPERTIES = "system_properties";

    private ExportFormat() {}
}
