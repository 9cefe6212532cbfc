package dev.sluice.cli.internal;

import dev.sluice.cli.ExitCodes;
import dev.sluice.core.SluiceException;
import dev.sluice.core.archive.ArchiveApproval;
import dev.sluice.core.archive.ArchiveAudit;
import dev.sluice.core.archive.ArchivePlan;
import dev.sluice.core.archive.ArchiveRefusedException;
import dev.sluice.core.archive.ArchiveRun;
import dev.sluice.core.archive.ArchiveSelection;
import dev.sluice.core.archive.OperatorKey;
import dev.sluice.core.archive.OperatorKeys;
import dev.sluice.core.archive.SigningKey;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.JsonLinesAuditLog;
import dev.sluice.core.redrive.RedriveFilter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sluice dlq keygen}, {@code dlq archive} and {@code dlq approve}: dead letters leave the queue into an archive
 * file only under a plan that names them, signed by the operator who asks and approved by a second one. There is no
 * purge. The logic is {@code dev.sluice.core.archive}'s; these commands read the options, print and audit.
 */
public final class ArchiveCommands {
    private ArchiveCommands() {}

    private static String safe(@Nullable Object value) {
        return DlqCommands.safe(value);
    }

    private static int usage(CommandSpec spec, String line) {
        spec.commandLine().getErr().println(line);
        return ExitCodes.USAGE;
    }

    private static @Nullable SigningKey readKey(CommandSpec spec, Path key) {
        if (!Files.isRegularFile(key)) {
            usage(spec, "--key: no such file: " + safe(key));
            return null;
        }
        try {
            SigningKey read = OperatorKeys.readPrivate(key);
            try {
                if (!java.util.Collections.disjoint(Files.getPosixFilePermissions(key), java.util.EnumSet.of(
                        java.nio.file.attribute.PosixFilePermission.GROUP_READ, java.nio.file.attribute.PosixFilePermission.OTHERS_READ))) {
                    spec.commandLine().getErr().println("Warning: " + safe(key) + " is readable by others than its owner; "
                            + "a private key should be mode 0600 (chmod 600)");
                }
            } catch (IOException | UnsupportedOperationException ignored) {
                // no POSIX permissions to check
            }
            return read;
        } catch (SluiceException e) {
            usage(spec, "--key: " + safe(e.getMessage()));
            return null;
        }
    }

    /** {@code sluice dlq keygen}. */
    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Make an operator's Ed25519 key pair for archive plans: <out-dir>/<name>.key (the private key, "
                    + "PKCS#8 PEM, mode 0600: it stays with its owner) and <out-dir>/<name>.pub (the public key, X.509 PEM: "
                    + "give it to every operator who runs archives). Prints the key's fingerprint (SHA-256 of the public key).")
    public static final class Keygen implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--name", required = true, description = "The operator's name (letters, digits, '.', '_', '-').")
        String name = "";

        @Option(names = "--out-dir", required = true, paramLabel = "<dir>", description = "Where to write the two files.")
        Path outDir = Path.of(".");

        @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
        OutputFormat output = OutputFormat.text;

        @Override
        public Integer call() throws IOException {
            if (!OperatorKeys.validName(name)) {
                return usage(spec, "--name: '" + safe(name) + "' is not an operator name: 1 to 64 letters, digits, '.', '_' "
                        + "or '-', starting with a letter or digit");
            }
            SigningKey key = OperatorKeys.generate(name);
            List<Path> files;
            try {
                files = OperatorKeys.write(key, outDir);
            } catch (FileAlreadyExistsException e) {
                return usage(spec, "--out-dir: " + safe(e.getFile()) + " exists already; a key file is never overwritten");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("operator", name);
                json.put("fingerprint", key.fingerprint());
                json.put("private_key", files.get(0).toAbsolutePath().toString());
                json.put("public_key", files.get(1).toAbsolutePath().toString());
                out.println(Json.write(json));
            } else {
                out.println("Wrote " + safe(files.get(0)) + " (private key, mode 0600: keep it to yourself)");
                out.println("  and " + safe(files.get(1)) + " (public key: give it to every operator who runs archives)");
                out.println("operator     " + safe(name));
                out.println("fingerprint  " + key.fingerprint());
            }
            return ExitCodes.OK;
        }
    }

    /** {@code sluice dlq archive}. */
    @Command(name = "archive", mixinStandardHelpOptions = true,
            description = {"Move dead letters that cannot be recovered out of the queue into a local archive file, under a "
                    + "two-person rule. There is no purge.",
                    "1. --plan <file> --key <your.key> [filters]: scan the queue (every dead letter stays) and write a plan "
                    + "naming exactly the selected dead letters, signed with your key.",
                    "2. A second operator approves it: sluice dlq approve <file> --key <their.key>.",
                    "3. --approved <file> --trust <dir|file.pub,...> --archive-file <out.jsonl>: check both signatures against "
                    + "the trusted keys, the expiry and the queue; export exactly the planned dead letters (JSON Lines, mode "
                    + "0600), read the file back, and only then remove them from the queue. A refused run removes nothing "
                    + "(exit 6)."})
    public static final class Archive implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @Mixin DlqCommands.Common common;
        @Mixin FilterOptions filters;
        @Spec CommandSpec spec;

        @Option(names = "--plan", paramLabel = "<plan.json>", description = "Write a new plan to this file (mode 0600).")
        @Nullable Path plan;

        @Option(names = "--key", paramLabel = "<name.key>", description = "With --plan: your private key, to sign the plan.")
        @Nullable Path key;

        @Option(names = "--expires-in", converter = Durations.class, paramLabel = "<duration>",
                description = "With --plan: how long the plan stays valid, at most 7d (default: 24h).")
        @Nullable Duration expiresIn;

        @Option(names = "--max", converter = DlqCommands.AtLeastOne.class, description = "With --plan: plan at most this many.")
        @Nullable Integer max;

        @Option(names = "--approved", paramLabel = "<plan.json>", description = "Run this approved plan.")
        @Nullable Path approved;

        @Option(names = "--trust", split = ",", paramLabel = "<dir|file.pub>",
                description = "With --approved: the public keys you trust, .pub files or directories of them.")
        List<Path> trust = new ArrayList<>();

        @Option(names = "--archive-file", paramLabel = "<out.jsonl>",
                description = "With --approved: the archive file to write (mode 0600); it must not exist.")
        @Nullable Path archiveFile;

        @Option(names = "--operator", defaultValue = "${env:SLUICE_OPERATOR}",
                description = "With --approved: who runs it, for the audit record (default: SLUICE_OPERATOR, else the OS user).")
        @Nullable String operator;

        @Option(names = "--audit-log", defaultValue = "sluice-audit.jsonl", description = "Audit file (default: ${DEFAULT-VALUE}).")
        Path auditLog = Path.of("sluice-audit.jsonl");

        @Override
        public Integer call() throws IOException {
            if ((plan == null) == (approved == null)) {
                return usage(spec, "give --plan <file> to write a plan, or --approved <file> to run an approved one (one of them)");
            }
            return plan != null ? plan(plan) : run(approved);
        }

        private int plan(Path planFile) throws IOException {
            List<String> wrong = new ArrayList<>();
            if (!trust.isEmpty()) wrong.add("--trust");
            if (archiveFile != null) wrong.add("--archive-file");
            if (!wrong.isEmpty()) {
                return usage(spec, String.join(" and ", wrong) + " belong to running an approved plan (--approved), not to --plan");
            }
            if (key == null) {
                return usage(spec, "--plan needs --key <your.key> to sign the plan");
            }
            Duration validity = expiresIn == null ? Duration.ofHours(24) : expiresIn;
            if (validity.isNegative() || validity.isZero() || validity.compareTo(Duration.ofDays(ArchivePlan.MAX_VALIDITY_DAYS)) > 0) {
                return usage(spec, "--expires-in: must be more than zero and at most " + ArchivePlan.MAX_VALIDITY_DAYS
                        + "d, got " + safe(RedriveFilter.readable(validity)));
            }
            if (Files.exists(planFile, LinkOption.NOFOLLOW_LINKS)) {
                return usage(spec, "--plan: " + safe(planFile) + " exists already; a plan is never overwritten");
            }
            RedriveFilter filter;
            try {
                filter = filters.build();
            } catch (IllegalArgumentException e) {
                return usage(spec, "--newer-than must not be below --older-than");
            }
            SigningKey requester = readKey(spec, key);
            if (requester == null) {
                return ExitCodes.USAGE;
            }
            PrintWriter out = spec.commandLine().getOut();
            try (DeadLetterQueue backend = parent.open(common)) {
                DeadLetterSource source = backend.source();
                String queue = source.name();
                Instant now = Instant.now();
                ArchiveSelection selection = ArchiveSelection.select(source, filter,
                        max == null ? Integer.MAX_VALUE : max, now);
                if (selection.selected().isEmpty()) {
                    spec.commandLine().getErr().println("No dead letter of " + selection.scanned() + " in " + safe(queue)
                            + " matches " + safe(filter.describe()) + "; no plan written");
                    return ExitCodes.OK;
                }
                ArchivePlan written = ArchivePlan.request(queue, filter.toJson(), selection.selected(), now, validity, requester);
                try {
                    written.writeNew(planFile);
                } catch (FileAlreadyExistsException e) {
                    return usage(spec, "--plan: " + safe(planFile) + " exists already; a plan is never overwritten");
                }
                new JsonLinesAuditLog(auditLog).writeEvent(ArchiveAudit.planned(written, planFile, selection.scanned(), Instant.now()));
                if (common.output == OutputFormat.json) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("plan_file", planFile.toAbsolutePath().toString());
                    json.put("plan_id", written.planId());
                    json.put("queue", queue);
                    json.put("scanned", selection.scanned());
                    json.put("planned", written.messages().size());
                    json.put("by_kind", written.countsByKind());
                    json.put("expires_at", written.expiresAt().toString());
                    json.put("requester", requester.operator());
                    json.put("audit_log", auditLog.toAbsolutePath().toString());
                    out.println(Json.write(json));
                } else {
                    out.println("Plan: archive " + written.messages().size() + " of " + selection.scanned() + " dead letters from "
                            + safe(queue));
                    out.println("  filter     " + safe(filter.describe()));
                    out.println("  by kind    " + byKind(written.countsByKind()));
                    out.println("  expires    " + written.expiresAt());
                    out.println("  signed by  " + safe(requester.operator()) + " (" + requester.fingerprint() + ")");
                    out.println("  plan file  " + safe(planFile) + " (mode 0600); nothing was removed. A second operator "
                            + "approves it: sluice dlq approve " + safe(planFile) + " --key <their.key>");
                }
                return ExitCodes.OK;
            }
        }

        private int run(Path planFile) {
            List<String> wrong = new ArrayList<>();
            if (filters.any()) wrong.add("filters (--kind, --error-type, --id, --older-than, --newer-than)");
            if (max != null) wrong.add("--max");
            if (key != null) wrong.add("--key");
            if (expiresIn != null) wrong.add("--expires-in");
            if (!wrong.isEmpty()) {
                return usage(spec, String.join(", ", wrong) + ": the approved plan names the dead letters; these belong to --plan");
            }
            if (trust.isEmpty()) {
                return usage(spec, "--approved needs --trust <dir|file.pub,...>: the public keys whose signatures you accept");
            }
            if (archiveFile == null) {
                return usage(spec, "--approved needs --archive-file <out.jsonl>: where the archived dead letters go");
            }
            if (!Files.isRegularFile(planFile)) {
                return usage(spec, "--approved: no such file: " + safe(planFile));
            }
            Map<String, OperatorKey> trusted;
            try {
                trusted = OperatorKeys.readTrusted(trust);
            } catch (SluiceException e) {
                return usage(spec, "--trust: " + safe(e.getMessage()));
            }
            String who = operator != null && !operator.isBlank() ? operator : System.getProperty("user.name", "unknown");
            JsonLinesAuditLog audit = new JsonLinesAuditLog(auditLog);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (DeadLetterQueue backend = parent.open(common)) {
                DeadLetterSource source = backend.source();
                String queue = source.name();
                ArchivePlan read = null;
                try {
                    read = ArchivePlan.read(planFile);
                    ArchiveApproval.VerifiedPlan verified = ArchiveApproval.verify(read, trusted, queue, Instant.now());
                    ArchiveRun.Report report = ArchiveRun.run(verified, source, archiveFile);
                    audit.writeEvent(ArchiveAudit.done(who, verified, planFile, report, Instant.now()));
                    if (common.output == OutputFormat.json) {
                        Map<String, Object> json = new LinkedHashMap<>();
                        json.put("plan_id", read.planId());
                        json.put("queue", queue);
                        json.put("archived", report.archived());
                        json.put("not_removed", report.notRemoved());
                        json.put("by_kind", report.byKind());
                        json.put("archive_file", archiveFile.toAbsolutePath().toString());
                        json.put("archive_sha256", report.archiveSha256());
                        json.put("requester", verified.requester().operator());
                        json.put("approver", verified.approver().operator());
                        json.put("audit_log", auditLog.toAbsolutePath().toString());
                        out.println(Json.write(json));
                    } else {
                        out.println("Archived " + report.archived() + " dead letters from " + safe(queue) + " to "
                                + safe(archiveFile) + " (mode 0600)");
                        out.println("  by kind    " + byKind(report.byKind()));
                        out.println("  sha256     " + report.archiveSha256());
                        out.println("  plan       requested by " + safe(verified.requester().operator()) + ", approved by "
                                + safe(verified.approver().operator()));
                        out.println("  audit      " + safe(auditLog.toAbsolutePath()));
                    }
                    if (!report.notRemoved().isEmpty()) {
                        err.println("Archived but not removed (still in the queue too): " + safe(String.join(", ", report.notRemoved())));
                        return ExitCodes.PARTIAL;
                    }
                    return ExitCodes.OK;
                } catch (ArchiveRefusedException e) {
                    audit.writeEvent(ArchiveAudit.runRefused(who, read, queue, planFile, e, Instant.now()));
                    err.println("Refused (" + e.reason().jsonName() + "): " + safe(e.getMessage())
                            + "; nothing was removed from the queue (audited in " + safe(auditLog) + ")");
                    return ExitCodes.REFUSED;
                }
            }
        }
    }

    /** {@code sluice dlq approve}. */
    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve an archive plan as the second operator: shows it, asks for confirmation (or --yes) and adds "
                    + "your signature. Your key must not be the requester's. Nothing is removed until the plan runs "
                    + "(sluice dlq archive --approved). A refused approval exits 2.")
    public static final class Approve implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "<plan.json>", description = "The plan (written by dlq archive --plan).")
        Path planFile = Path.of("plan.json");

        @Option(names = "--key", required = true, paramLabel = "<name.key>", description = "Your private key.")
        Path key = Path.of("");

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Option(names = "--audit-log", defaultValue = "sluice-audit.jsonl", description = "Audit file (default: ${DEFAULT-VALUE}).")
        Path auditLog = Path.of("sluice-audit.jsonl");

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(planFile)) {
                return usage(spec, "<plan.json>: no such file: " + safe(planFile));
            }
            SigningKey approver = readKey(spec, key);
            if (approver == null) {
                return ExitCodes.USAGE;
            }
            JsonLinesAuditLog audit = new JsonLinesAuditLog(auditLog);
            PrintWriter err = spec.commandLine().getErr();
            ArchivePlan plan = null;
            ArchivePlan signed;
            try {
                plan = ArchivePlan.read(planFile);
                signed = ArchiveApproval.approve(plan, approver, Instant.now());
            } catch (ArchiveRefusedException e) {
                audit.writeEvent(ArchiveAudit.approvalRefused(approver.operator(), plan, planFile, e, Instant.now()));
                err.println("Not approved (" + e.reason().jsonName() + "): " + safe(e.getMessage()));
                return ExitCodes.USAGE;
            }
            err.println("Archive plan " + safe(planFile));
            err.println("  queue       " + safe(plan.queue()));
            err.println("  requester   " + safe(plan.requester().operator()) + " (" + safe(plan.requester().keyFingerprint()) + ")");
            err.println("  filter      " + (plan.filter().isEmpty() ? "everything" : safe(plan.filter())));
            err.println("  dead letters " + plan.messages().size() + " (their ids are in the plan file)");
            err.println("  by kind     " + byKind(plan.countsByKind()));
            err.println("  created     " + plan.createdAt());
            err.println("  expires     " + plan.expiresAt());
            err.println("  approve as  " + safe(approver.operator()) + " (" + approver.fingerprint() + ")");
            if (!yes && !Confirmation.ask("Approve archiving these " + plan.messages().size() + " dead letters?", parent.input, err)) {
                audit.writeEvent(ArchiveAudit.approvalDeclined(approver.operator(), plan, planFile, Instant.now()));
                err.println("Declined; the plan was not signed (audited as declined in " + safe(auditLog) + ").");
                return ExitCodes.ABORTED;
            }
            signed.replace(planFile);
            audit.writeEvent(ArchiveAudit.approved(signed, planFile, Instant.now()));
            spec.commandLine().getOut().println("Approved by " + safe(approver.operator()) + "; " + safe(planFile)
                    + " now carries two signatures. Run it with: sluice dlq archive <queue options> --approved "
                    + safe(planFile) + " --trust <keys> --archive-file <out.jsonl>");
            return ExitCodes.OK;
        }
    }

    private static String byKind(Map<String, Integer> counts) {
        return counts.isEmpty() ? "-" : safe(String.join(", ", counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
    }
}
