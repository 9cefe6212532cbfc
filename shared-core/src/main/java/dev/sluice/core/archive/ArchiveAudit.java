package dev.sluice.core.archive;

import dev.sluice.core.redrive.AuditEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The audit records of the archive steps, one {@link AuditEvent} each: {@code archive_planned},
 * {@code archive_approved}, {@code archive_approval_declined}, {@code archive_approval_refused},
 * {@code archive_refused} and {@code archive_done}. Each names the plan by its {@linkplain ArchivePlan#planId() id} and
 * file; a refusal carries its {@code reason} ({@link ArchiveRefusedException.Reason#jsonName()}) and message.
 */
public final class ArchiveAudit {
    private ArchiveAudit() {}

    /**
     * @param plan the plan written
     * @param planFile its file
     * @param scanned dead letters looked at
     * @param at when
     * @return the record
     */
    public static AuditEvent planned(ArchivePlan plan, Path planFile, int scanned, Instant at) {
        Map<String, Object> details = plan(plan, planFile);
        details.put("filter", plan.filter());
        details.put("scanned", scanned);
        details.put("planned", plan.messages().size());
        details.put("by_kind", plan.countsByKind());
        details.put("expires_at", plan.expiresAt().toString());
        details.put("key_fingerprint", plan.requester().keyFingerprint());
        return new AuditEvent(plan.requester().operator(), at, "archive_planned", plan.queue(), details);
    }

    /**
     * @param plan the plan with the approver's signature
     * @param planFile its file
     * @param at when
     * @return the record
     */
    public static AuditEvent approved(ArchivePlan plan, Path planFile, Instant at) {
        ArchivePlan.PlanSignature approver = java.util.Objects.requireNonNull(plan.signature(ArchivePlan.APPROVER), "approver");
        Map<String, Object> details = plan(plan, planFile);
        details.put("requester", plan.requester().operator());
        details.put("planned", plan.messages().size());
        details.put("by_kind", plan.countsByKind());
        details.put("key_fingerprint", approver.signer().keyFingerprint());
        return new AuditEvent(approver.signer().operator(), at, "archive_approved", plan.queue(), details);
    }

    /**
     * @param operator who declined at the prompt
     * @param plan the plan shown
     * @param planFile its file
     * @param at when
     * @return the record
     */
    public static AuditEvent approvalDeclined(String operator, ArchivePlan plan, Path planFile, Instant at) {
        Map<String, Object> details = plan(plan, planFile);
        details.put("requester", plan.requester().operator());
        return new AuditEvent(operator, at, "archive_approval_declined", plan.queue(), details);
    }

    /**
     * @param operator who tried to approve
     * @param plan the plan, null when it could not be read
     * @param planFile its file
     * @param refused why not
     * @param at when
     * @return the record
     */
    public static AuditEvent approvalRefused(String operator, @Nullable ArchivePlan plan, Path planFile,
                                             ArchiveRefusedException refused, Instant at) {
        return refusal("archive_approval_refused", operator, plan, null, planFile, refused, at);
    }

    /**
     * @param operator who ran it
     * @param plan the plan, null when it could not be read
     * @param queue the queue opened
     * @param planFile its file
     * @param refused why not
     * @param at when
     * @return the record
     */
    public static AuditEvent runRefused(String operator, @Nullable ArchivePlan plan, String queue, Path planFile,
                                        ArchiveRefusedException refused, Instant at) {
        return refusal("archive_refused", operator, plan, queue, planFile, refused, at);
    }

    /**
     * @param operator who ran it
     * @param verified the plan and its signers
     * @param planFile its file
     * @param report what was done
     * @param at when
     * @return the record
     */
    public static AuditEvent done(String operator, ArchiveApproval.VerifiedPlan verified, Path planFile, ArchiveRun.Report report,
                                  Instant at) {
        ArchivePlan plan = verified.plan();
        Map<String, Object> details = plan(plan, planFile);
        details.put("requester", verified.requester().operator());
        details.put("requester_key_fingerprint", verified.requester().fingerprint());
        details.put("approver", verified.approver().operator());
        details.put("approver_key_fingerprint", verified.approver().fingerprint());
        details.put("planned", plan.messages().size());
        details.put("archived", report.archived());
        details.put("not_removed", report.notRemoved());
        details.put("released", report.released());
        details.put("by_kind", report.byKind());
        details.put("archive_file", report.archiveFile().toAbsolutePath().toString());
        details.put("archive_sha256", report.archiveSha256());
        return new AuditEvent(operator, at, "archive_done", plan.queue(), details);
    }

    private static AuditEvent refusal(String action, String operator, @Nullable ArchivePlan plan, @Nullable String queue,
                                      Path planFile, ArchiveRefusedException refused, Instant at) {
        Map<String, Object> details = plan == null ? new LinkedHashMap<>(Map.of("plan_file", planFile.toAbsolutePath().toString()))
                : plan(plan, planFile);
        details.put("reason", refused.reason().jsonName());
        details.put("message", refused.getMessage());
        if (!refused.ids().isEmpty()) {
            details.put("ids", List.copyOf(refused.ids()));
        }
        String source = queue != null ? queue : plan != null ? plan.queue() : "unknown";
        return new AuditEvent(operator, at, action, source, details);
    }

    private static Map<String, Object> plan(ArchivePlan plan, Path planFile) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("plan_id", plan.planId());
        details.put("plan_file", planFile.toAbsolutePath().toString());
        return details;
    }
}
