package dev.sluice.core.archive;

import dev.sluice.core.SluiceException;
import java.util.List;
import java.util.Locale;

/**
 * An archive step refused: nothing was removed from the queue. The message is one line, not escaped for a terminal
 * (it may name ids from the queue); {@link #ids()} lists the dead letters concerned, if any.
 */
public final class ArchiveRefusedException extends SluiceException {
    private static final long serialVersionUID = 1L;

    /** Why, for scripts and the audit record. */
    public enum Reason {
        /** The plan file is not an archive plan. */
        MALFORMED_PLAN,
        /** The plan lacks the requester's or an approver's signature. */
        SIGNATURE_MISSING,
        /** The plan has an approver's signature already. */
        ALREADY_APPROVED,
        /** Requester and approver are the same key, or the same operator. */
        SAME_KEY,
        /** A signing key is not among the keys the operator trusts. */
        UNTRUSTED_KEY,
        /** A signature does not verify: the plan changed after it was signed. */
        BAD_SIGNATURE,
        /** The plan's expiry has passed, or its validity is longer than allowed. */
        EXPIRED,
        /** The plan names another queue than the one opened. */
        WRONG_QUEUE,
        /** Planned dead letters are no longer in the queue, or no longer what was planned. */
        IDS_MISSING,
        /** The archive file exists already. */
        ARCHIVE_EXISTS,
        /** The archive file did not read back as exactly the planned dead letters. */
        EXPORT_MISMATCH;

        /** @return the name in the audit file, e.g. {@code same_key} */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;
    private final List<String> ids;

    /** @param reason why @param message one line saying why */
    public ArchiveRefusedException(Reason reason, String message) {
        this(reason, message, List.of());
    }

    /** @param reason why @param message one line saying why @param ids the dead letters concerned */
    public ArchiveRefusedException(Reason reason, String message, List<String> ids) {
        super(message);
        this.reason = reason;
        this.ids = List.copyOf(ids);
    }

    /** @return why */
    public Reason reason() {
        return reason;
    }

    /** @return the provider message ids concerned, e.g. those no longer in the queue */
    public List<String> ids() {
        return ids;
    }
}
