package dev.sluice.core.archive;

import dev.sluice.core.archive.ArchiveRefusedException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The two-person rule: a second operator approves a plan, and a run checks both signatures against the keys the
 * operator running it trusts, that they are two different keys of two different operators, that the plan has not
 * expired and that it names the queue being opened.
 */
public final class ArchiveApproval {
    private ArchiveApproval() {}

    /** A plan whose checks passed, with the trusted keys that signed it; only {@link #verify} makes one. */
    public static final class VerifiedPlan {
        private final ArchivePlan plan;
        private final OperatorKey requester;
        private final OperatorKey approver;

        VerifiedPlan(ArchivePlan plan, OperatorKey requester, OperatorKey approver) {
            this.plan = plan;
            this.requester = requester;
            this.approver = approver;
        }

        /** @return the plan */
        public ArchivePlan plan() {
            return plan;
        }

        /** @return the requester's trusted key */
        public OperatorKey requester() {
            return requester;
        }

        /** @return the approver's trusted key */
        public OperatorKey approver() {
            return approver;
        }
    }

    /**
     * Adds the approver's signature. The requester's signature must verify with the key the plan names (trust in that
     * key is checked when the plan runs), the approver must be another key and another operator, and the plan must
     * not have expired.
     *
     * @param plan a plan with its requester's signature only
     * @param approver the approving operator's key
     * @param now the current time
     * @return the plan with the approver's signature
     * @throws ArchiveRefusedException when any of that does not hold
     */
    public static ArchivePlan approve(ArchivePlan plan, SigningKey approver, Instant now) {
        if (plan.signature(ArchivePlan.APPROVER) != null) {
            throw new ArchiveRefusedException(Reason.ALREADY_APPROVED, "the plan is approved already, by "
                    + plan.signature(ArchivePlan.APPROVER).signer().operator());
        }
        ArchivePlan.PlanSignature requested = requesterSignature(plan);
        if (plan.signatures().size() != 1) {
            throw new ArchiveRefusedException(Reason.MALFORMED_PLAN, "not an archive plan: signatures other than the "
                    + "requester's and no approver's");
        }
        OperatorKey named;
        try {
            named = new OperatorKey(requested.signer().operator(),
                    OperatorKeys.decodePublic(Base64.getDecoder().decode(requested.signer().publicKey())));
        } catch (IllegalArgumentException e) {
            throw new ArchiveRefusedException(Reason.MALFORMED_PLAN, "not an archive plan: the requester's public key is not "
                    + "an Ed25519 key");
        }
        if (!named.fingerprint().equals(requested.signer().keyFingerprint())) {
            throw new ArchiveRefusedException(Reason.BAD_SIGNATURE, "the requester's public key does not have the fingerprint "
                    + "the plan names");
        }
        checkSignature(plan, requested, named);
        differentPeople(plan.requester().operator(), plan.requester().keyFingerprint(), approver.identity());
        consistent(plan);
        notExpired(plan, now);
        return plan.signedBy(approver, ArchivePlan.APPROVER);
    }

    /**
     * The checks before a run, in this order: both signatures present, two different keys of two different operators,
     * each key trusted (under the name it signed with), each signature valid, the plan consistent, not expired, and for
     * this queue.
     *
     * @param plan the approved plan
     * @param trusted the keys the operator running it trusts, by fingerprint
     * @param queue the name of the dead-letter queue being opened
     * @param now the current time
     * @return the plan with the keys that signed it
     * @throws ArchiveRefusedException naming the first check that failed
     */
    public static VerifiedPlan verify(ArchivePlan plan, Map<String, OperatorKey> trusted, String queue, Instant now) {
        ArchivePlan.PlanSignature requested = requesterSignature(plan);
        ArchivePlan.PlanSignature approved = plan.signature(ArchivePlan.APPROVER);
        if (approved == null) {
            throw new ArchiveRefusedException(Reason.SIGNATURE_MISSING, "the plan has " + plan.signatures().size()
                    + " signature(s) and no approver's: a second operator must approve it (sluice dlq approve)");
        }
        if (plan.signatures().size() != 2) {
            throw new ArchiveRefusedException(Reason.MALFORMED_PLAN, "not an archive plan: it has " + plan.signatures().size()
                    + " signatures, not the requester's and the approver's");
        }
        differentPeople(requested.signer().operator(), requested.signer().keyFingerprint(),
                approved.signer().operator(), approved.signer().keyFingerprint());
        OperatorKey requesterKey = trustedKey(requested, trusted);
        OperatorKey approverKey = trustedKey(approved, trusted);
        checkSignature(plan, requested, requesterKey);
        checkSignature(plan, approved, approverKey);
        consistent(plan);
        notExpired(plan, now);
        if (!plan.queue().equals(queue)) {
            throw new ArchiveRefusedException(Reason.WRONG_QUEUE, "the plan is for the queue " + plan.queue() + ", not "
                    + queue);
        }
        return new VerifiedPlan(plan, requesterKey, approverKey);
    }

    private static ArchivePlan.PlanSignature requesterSignature(ArchivePlan plan) {
        ArchivePlan.PlanSignature requested = plan.signature(ArchivePlan.REQUESTER);
        if (requested == null) {
            throw new ArchiveRefusedException(Reason.SIGNATURE_MISSING, "the plan has no requester's signature");
        }
        if (!requested.signer().equals(plan.requester())) {
            throw new ArchiveRefusedException(Reason.BAD_SIGNATURE, "the requester's signature is not by the requester the "
                    + "plan names");
        }
        return requested;
    }

    private static void differentPeople(String requester, String requesterFingerprint, OperatorKey approver) {
        differentPeople(requester, requesterFingerprint, approver.operator(), approver.fingerprint());
    }

    private static void differentPeople(String requester, String requesterFingerprint, String approver, String approverFingerprint) {
        if (requesterFingerprint.equals(approverFingerprint)) {
            throw new ArchiveRefusedException(Reason.SAME_KEY, "the approver's key is the requester's key (" + requester
                    + "): a second person must approve");
        }
        if (requester.equalsIgnoreCase(approver)) {
            throw new ArchiveRefusedException(Reason.SAME_KEY, "requester and approver are the same operator (" + requester
                    + "): a second person must approve");
        }
    }

    private static OperatorKey trustedKey(ArchivePlan.PlanSignature signature, Map<String, OperatorKey> trusted) {
        OperatorKey key = trusted.get(signature.signer().keyFingerprint());
        if (key == null) {
            throw new ArchiveRefusedException(Reason.UNTRUSTED_KEY, "the " + signature.role() + "'s key ("
                    + signature.signer().operator() + ", " + signature.signer().keyFingerprint() + ") is not trusted (--trust)");
        }
        if (!key.operator().equals(signature.signer().operator())) {
            throw new ArchiveRefusedException(Reason.UNTRUSTED_KEY, "the " + signature.role() + "'s key "
                    + signature.signer().keyFingerprint() + " is trusted as " + key.operator() + ", but signed as "
                    + signature.signer().operator());
        }
        return key;
    }

    private static void checkSignature(ArchivePlan plan, ArchivePlan.PlanSignature signature, OperatorKey key) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(signature.signature());
        } catch (IllegalArgumentException e) {
            bytes = new byte[0];
        }
        if (!key.verifies(plan.canonicalBytes(), bytes)) {
            throw new ArchiveRefusedException(Reason.BAD_SIGNATURE, "the " + signature.role() + "'s signature ("
                    + signature.signer().operator() + ") does not verify: the plan changed after it was signed");
        }
    }

    private static void consistent(ArchivePlan plan) {
        if (plan.messages().isEmpty()) {
            throw new ArchiveRefusedException(Reason.MALFORMED_PLAN, "not an archive plan: it names no dead letter");
        }
        Set<String> ids = new HashSet<>();
        for (ArchivePlan.PlannedMessage m : plan.messages()) {
            if (!ids.add(m.providerMessageId())) {
                throw new ArchiveRefusedException(Reason.MALFORMED_PLAN, "not an archive plan: it names "
                        + m.providerMessageId() + " twice", java.util.List.of(m.providerMessageId()));
            }
        }
        if (!ArchivePlan.countByKind(plan.messages()).equals(plan.countsByKind())) {
            throw new ArchiveRefusedException(Reason.MALFORMED_PLAN, "not an archive plan: counts_by_kind does not count "
                    + "its messages");
        }
    }

    private static void notExpired(ArchivePlan plan, Instant now) {
        Duration validity = Duration.between(plan.createdAt(), plan.expiresAt());
        if (validity.isNegative() || validity.isZero() || validity.compareTo(Duration.ofDays(ArchivePlan.MAX_VALIDITY_DAYS)) > 0) {
            throw new ArchiveRefusedException(Reason.EXPIRED, "the plan is valid from " + plan.createdAt() + " to "
                    + plan.expiresAt() + ", not more than zero and at most " + ArchivePlan.MAX_VALIDITY_DAYS + " days");
        }
        if (!now.isBefore(plan.expiresAt())) {
            throw new ArchiveRefusedException(Reason.EXPIRED, "the plan expired at " + plan.expiresAt());
        }
    }
}
