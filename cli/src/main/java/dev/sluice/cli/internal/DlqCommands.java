package dev.sluice.cli.internal;

import dev.sluice.cli.ExitCodes;
import dev.sluice.cli.backend.BackendFactory;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.redrive.MoveTasks;
import dev.sluice.cli.backend.QueueOptions;
import dev.sluice.core.redrive.QueueStats;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.AuditRecord;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterInspection;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.ExportFileSource;
import dev.sluice.core.redrive.JsonLinesAuditLog;
import dev.sluice.core.redrive.RedriveEngine;
import dev.sluice.core.redrive.RedriveFilter;
import dev.sluice.core.redrive.RedriveReport;
import dev.sluice.core.redrive.RedriveRequest;
import dev.sluice.core.redrive.RedriveTarget;
import dev.sluice.core.security.TerminalText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sluice dlq ...}: dead-letter operations. There is no purge: dead letters leave by redrive, a two-person archive
 * ({@link ArchiveCommands}) or retention.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Inspect, export, redrive and (two-person) archive dead letters (AWS SQS or Azure Service Bus). "
                + "There is no purge.",
        footer = {"", "Text from dead letters and providers is printed escaped, in text and JSON output alike: a backslash as \\\\, "
                + "line feed, carriage return and tab as \\n, \\r and \\t, every other control, bidi or format character "
                + "as \\u and four hex digits (ESC is \\u001b). Bodies are shown redacted."},
        subcommands = {DlqCommands.Stats.class, DlqCommands.Inspect.class, DlqCommands.Redrive.class,
                DlqCommands.Export.class, DlqCommands.Tasks.class, DlqCommands.Cancel.class,
                ArchiveCommands.Keygen.class, ArchiveCommands.Archive.class, ArchiveCommands.Approve.class})
public final class DlqCommands {
    private final BackendFactory backends;
    final BufferedReader input;

    /**
     * @param backends opens dead-letter queues
     * @param input the operator's answers to confirmation questions
     */
    public DlqCommands(BackendFactory backends, BufferedReader input) {
        this.backends = backends;
        this.input = input;
    }

    /** Options every subcommand shares. */
    public static final class Common {
        @ArgGroup(exclusive = true, multiplicity = "1")
        QueueOptions queue = new QueueOptions();

        @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
        OutputFormat output = OutputFormat.text;
    }

    DeadLetterQueue open(Common common) {
        return backends.open(common.queue);
    }

    int withMoveTasks(Common common, CommandSpec spec, java.util.function.ToIntFunction<MoveTasks> action) {
        try (DeadLetterQueue backend = open(common)) {
            MoveTasks nativeRedrive = backend.moveTasks().orElse(null);
            if (nativeRedrive == null) {
                spec.commandLine().getErr().println("move tasks exist on AWS SQS only");
                return ExitCodes.USAGE;
            }
            return action.applyAsInt(nativeRedrive);
        }
    }

    static PrintWriter out(CommandSpec spec) {
        return spec.commandLine().getOut();
    }

    /** Text for the terminal: every value from a dead letter, a provider or an argument goes through here. */
    static String safe(@Nullable Object value) {
        return TerminalText.escape(String.valueOf(value));
    }

    /** Converts {@code --max}: a whole number of at least 1. */
    public static final class AtLeastOne implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + TerminalText.escape(value) + "' is not a whole number");
            }
            if (n < 1) {
                throw new TypeConversionException("must be at least 1, got " + n);
            }
            return n;
        }
    }

    /** {@code sluice dlq stats}. */
    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Show how many dead letters wait, how old the oldest is and their failure kinds. The age and the "
                    + "kinds come from a bounded browse (--scan) that leaves every dead letter in the queue; the output says "
                    + "how many of how many it read.")
    public static final class Stats implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @Mixin Common common;
        @Spec CommandSpec spec;

        @Option(names = "--scan", defaultValue = "100", converter = AtLeastOne.class,
                description = "Dead letters to read for the oldest age and the kinds, at least 1 (default: ${DEFAULT-VALUE}).")
        int scan;

        @Override
        public Integer call() {
            try (DeadLetterQueue backend = parent.open(common)) {
                QueueStats stats = backend.stats();
                DeadLetterScan read = DeadLetterScan.of(backend.browse(scan), scan, stats.visible(), Instant.now());
                // a provider that reports the oldest age (none does yet) knows better than a bounded scan
                Duration oldest = stats.oldestAge() != null ? stats.oldestAge() : read.oldestAge();
                String oldestFrom = stats.oldestAge() != null ? "provider" : oldest == null ? null : "scan";
                PrintWriter out = out(spec);
                if (common.output == OutputFormat.json) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("queue", stats.queue());
                    json.put("visible", stats.visible());
                    json.put("in_flight", stats.inFlight());
                    json.put("oldest_age", oldest == null ? null : oldest.toString());
                    json.put("oldest_age_seconds", oldest == null ? null : oldest.toSeconds());
                    json.put("oldest_age_from", oldestFrom);
                    json.put("by_kind", read.byKind());
                    Map<String, Object> bound = new LinkedHashMap<>();
                    bound.put("read", read.read());
                    bound.put("limit", scan);
                    bound.put("of", stats.visible());
                    bound.put("complete", read.complete());
                    json.put("scan", bound);
                    out.println(Json.write(json));
                } else {
                    out.printf("queue      %s%nvisible    %s%nin flight  %s%noldest     %s%nby kind    %s%nscan       %s%n",
                            safe(stats.queue()), count(stats.visible()), count(stats.inFlight()),
                            oldest == null ? "-" : DeadLetterScan.age(oldest) + ("scan".equals(oldestFrom) && !read.complete()
                                    ? " (oldest of those scanned)" : ""),
                            read.byKind().isEmpty() ? "-" : safe(String.join(", ", read.byKind().entrySet().stream()
                                    .map(e -> e.getKey() + " " + count(e.getValue())).toList())),
                            read.describe());
                }
                return ExitCodes.OK;
            }
        }
    }

    /** {@code sluice dlq inspect}. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Group dead letters by failure kind and error fingerprint. Bodies are never parsed: "
                    + "only metadata, sizes and a redacted excerpt are shown.")
    public static final class Inspect implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @Mixin Common common;
        @Spec CommandSpec spec;

        @Option(names = "--max", defaultValue = "100", converter = AtLeastOne.class,
                description = "Dead letters to read, at least 1 (default: ${DEFAULT-VALUE}).")
        int max;

        @Option(names = "--messages", description = "Also list each dead letter with its excerpt.")
        boolean messages;

        @Override
        public Integer call() {
            try (DeadLetterQueue backend = parent.open(common)) {
                List<DeadLetter> letters = backend.browse(max);
                List<DeadLetterInspection.Group> groups = DeadLetterInspection.group(letters);
                PrintWriter out = out(spec);
                if (common.output == OutputFormat.json) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("read", letters.size());
                    json.put("groups", groups);
                    if (messages) {
                        json.put("messages", letters.stream().map(Inspect::describe).toList());
                    }
                    out.println(Json.write(json));
                    return ExitCodes.OK;
                }
                out.printf("%d dead letters read, %d groups%n", letters.size(), groups.size());
                out.printf("%-20s %6s %9s  %-16s  %-40s  %s%n", "KIND", "COUNT", "BYTES", "FINGERPRINT", "ERROR TYPE", "SAMPLE ERROR");
                for (DeadLetterInspection.Group g : groups) {
                    out.printf("%-20s %6d %9d  %-16s  %-40s  %s%n", safe(g.failureKind()), g.count(), g.totalBytes(),
                            safe(g.errorFingerprint()), abbreviate(safe(g.errorType()), 40), abbreviate(safe(g.sampleError()), 80));
                }
                if (messages) {
                    for (DeadLetter d : letters) {
                        Map<String, Object> m = describe(d);
                        out.printf("%n%s  %s  %s bytes  redriven %s×%n  %s%n", safe(m.get("id")), safe(m.get("kind")),
                                m.get("bytes"), m.get("redrive_count"), safe(m.get("excerpt")));
                    }
                }
                return ExitCodes.OK;
            }
        }

        private static Map<String, Object> describe(DeadLetter d) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", d.originalMessageId());
            m.put("provider_message_id", d.providerMessageId());
            m.put("kind", d.envelope().map(e -> e.failureKind().name()).orElse("UNKNOWN"));
            m.put("error_type", d.envelope().map(e -> e.errorType()).orElse("unknown"));
            m.put("failed_at", d.failedAt().toString());
            m.put("bytes", d.body().length);
            m.put("redrive_count", d.redriveCount());
            // not yet escaped: the text and JSON output escape every value the same way
            m.put("excerpt", DeadLetterInspection.excerptText(d.body()));
            return m;
        }
    }

    /** {@code sluice dlq redrive}. */
    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Move dead letters back to their queue. Shows the plan, asks for confirmation (or --yes), "
                    + "keeps each message's id so idempotency skips what already succeeded, and writes an audit record. "
                    + "With --from-file, restores a 'dlq export' file into the queue the queue options name instead.")
    public static final class Redrive implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @Mixin Common common;
        @Spec CommandSpec spec;

        @Mixin FilterOptions filters;

        @Option(names = "--dry-run", description = "Count what would move; move nothing.")
        boolean dryRun;

        @Option(names = "--max", converter = AtLeastOne.class, description = "Move at most this many (at least 1).")
        @Nullable Integer max;

        @Option(names = "--rate", description = "Move at most this many per second.")
        double rate;

        @Option(names = "--native", description = "AWS only: start an SQS message move task (fast, keeps attributes, no filters).")
        boolean nativeMode;

        @Option(names = "--from-file", paramLabel = "<export.jsonl>",
                description = "Restore the dead letters of this 'dlq export' file (it is never modified) into the queue "
                        + "the queue options name, with the same filters, plan, confirmation and audit record.")
        @Nullable Path fromFile;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Option(names = "--operator", defaultValue = "${env:SLUICE_OPERATOR}",
                description = "Who runs this, for the audit record (default: SLUICE_OPERATOR, else the OS user).")
        @Nullable String operator;

        @Option(names = "--audit-log", defaultValue = "sluice-audit.jsonl", description = "Audit file (default: ${DEFAULT-VALUE}).")
        Path auditLog;

        @Override
        public Integer call() {
            PrintWriter out = out(spec);
            PrintWriter err = spec.commandLine().getErr();
            @Nullable ExportFileSource file = null;
            if (fromFile != null) {
                if (nativeMode) {
                    err.println("--from-file and --native cannot be combined: a native move task reads the dead-letter "
                            + "queue, not a file");
                    return ExitCodes.USAGE;
                }
                if (!Files.isRegularFile(fromFile)) {
                    err.println("--from-file: no such file: " + safe(fromFile));
                    return ExitCodes.USAGE;
                }
                // the whole file is checked before the queue is opened: a malformed line moves nothing
                try {
                    file = ExportFileSource.open(fromFile);
                } catch (ExportFileSource.MalformedExportException e) {
                    err.println("--from-file: not a dead-letter export: " + ErrorLines.describe(e, null));
                    return ExitCodes.USAGE;
                }
                if (file.skippedDuplicates() > 0) {
                    err.println("Skipped " + file.skippedDuplicates() + " lines of " + safe(fromFile)
                            + " repeating an earlier line's provider message id");
                }
            }
            try (DeadLetterQueue backend = parent.open(common)) {
                if (nativeMode) {
                    return startNative(backend, out, err);
                }
                RedriveFilter built = filters.build();
                String who = operator();
                JsonLinesAuditLog audit = new JsonLinesAuditLog(auditLog);
                int limit = max == null ? Integer.MAX_VALUE : max;

                // the plan is a dry run; it leaves every dead letter where it is. Its audit record is written once the
                // operator's decision is known: as a dry run, as declined, or not at all when the confirmed run writes its own
                List<AuditRecord> planRecords = new ArrayList<>();
                DeadLetterSource source = file != null ? file : backend.source();
                RedriveTarget target = backend.target();
                RedriveReport plan = RedriveEngine.withAuditLog(planRecords::add).run(RedriveRequest.builder().filter(built)
                        .dryRun(true).maxMessages(limit).operator(who).build(), source, target, p -> { });
                Plan shown = new Plan(plan, built, source.name(), target.name(), rate);
                if (dryRun || plan.matched() == 0) {
                    planRecords.forEach(audit::write);
                    report(out, shown, plan);
                    return ExitCodes.OK;
                }
                shown.lines().forEach(err::println);
                if (!yes) {
                    if (!Confirmation.ask("Proceed?", parent.input, err)) {
                        planRecords.forEach(r -> audit.write(r.declined(Instant.now())));
                        err.println("Declined; nothing was moved (audited as declined in " + safe(auditLog) + ").");
                        return ExitCodes.ABORTED;
                    }
                }
                ProgressBar bar = ProgressBar.forTerminal(err, plan.matched());
                RedriveReport done = RedriveEngine.withAuditLog(audit).run(RedriveRequest.builder().filter(built)
                        .maxMessages(limit).ratePerSecond(rate).operator(who).confirmed(true).build(), source, target, bar);
                bar.finish();
                report(out, shown, done);
                return done.failed() > 0 ? ExitCodes.PARTIAL : ExitCodes.OK;
            }
        }

        private int startNative(DeadLetterQueue backend, PrintWriter out, PrintWriter err) {
            MoveTasks nativeRedrive = backend.moveTasks().orElse(null);
            if (nativeRedrive == null) {
                err.println("--native is available for AWS SQS only");
                return ExitCodes.USAGE;
            }
            if (filters.any() || dryRun) {
                err.println("--native moves everything; filters and --dry-run need the selective mode (omit --native)");
                return ExitCodes.USAGE;
            }
            QueueStats stats = backend.stats();
            String plan = "Plan: start a native move task for ~" + stats.visible() + " dead letters from " + safe(stats.queue());
            if (!yes && !Confirmation.ask(plan + ". Proceed?", parent.input, err)) {
                Instant now = Instant.now();
                new JsonLinesAuditLog(auditLog).write(new AuditRecord(operator(), now, now, stats.queue(),
                        backend.target().name(), Map.of("native_move_task", true), false,
                        (int) Math.min(Integer.MAX_VALUE, stats.visible()), 0, 0, AuditRecord.Outcome.DECLINED));
                err.println("Declined; nothing was moved (audited as declined in " + safe(auditLog) + ").");
                return ExitCodes.ABORTED;
            }
            String handle = nativeRedrive.start(RedriveRequest.builder().operator(operator()).confirmed(true)
                    .ratePerSecond(rate).build(), new JsonLinesAuditLog(auditLog));
            if (common.output == OutputFormat.json) {
                out.println(Json.write(Map.of("task_handle", handle)));
            } else {
                out.println("Started native move task " + safe(handle));
            }
            return ExitCodes.OK;
        }

        private String operator() {
            if (operator != null && !operator.isBlank()) {
                return operator;
            }
            return System.getProperty("user.name", "unknown");
        }

        private void report(PrintWriter out, Plan plan, RedriveReport report) {
            if (common.output == OutputFormat.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("dry_run", report.dryRun());
                json.put("outcome", report.audit().outcome().jsonName());
                json.put("scanned", report.scanned());
                json.put("matched", report.matched());
                json.put("moved", report.moved());
                json.put("failed", report.failed());
                json.put("plan", plan.json());
                json.put("warning", plan.warning());
                json.put("audit_log", auditLog.toAbsolutePath().toString());
                out.println(Json.write(json));
            } else {
                if (report.dryRun()) {
                    plan.lines().forEach(out::println);
                } else {
                    out.println("Redrive finished");
                }
                out.printf("  scanned %d, matched %d, moved %d, failed %d%s%n  audit record: %s%n", report.scanned(),
                        report.matched(), report.moved(), report.failed(), report.dryRun() ? " (dry run)" : "",
                        safe(auditLog.toAbsolutePath()));
            }
        }
    }

    /**
     * A redrive plan as the operator sees it before confirming: how many, from where to where, the filter in words,
     * the selected dead letters by failure kind, and a warning when kinds that fail again unless their cause changed
     * are among them.
     */
    static final class Plan {
        /** Kinds whose cause is in the message or its signing, not in a dependency that may have recovered. */
        private static final Map<String, String> FAIL_AGAIN = new LinkedHashMap<>();

        static {
            FAIL_AGAIN.put(FailureKind.POISON.name(), "a body the handler cannot decode");
            FAIL_AGAIN.put(FailureKind.SIGNATURE_INVALID.name(), "a signature that does not verify with the current keys");
        }

        private final RedriveReport plan;
        private final RedriveFilter filter;
        private final String source;
        private final String target;
        private final double rate;

        Plan(RedriveReport plan, RedriveFilter filter, String source, String target, double rate) {
            this.plan = plan;
            this.filter = filter;
            this.source = source;
            this.target = target;
            this.rate = rate;
        }

        /** @return the warning line, or null when no selected dead letter is of a kind that fails again */
        @Nullable String warning() {
            List<String> counts = new ArrayList<>();
            List<String> causes = new ArrayList<>();
            FAIL_AGAIN.forEach((kind, cause) -> {
                Integer n = plan.matchedByKind().get(kind);
                if (n != null && n > 0) {
                    counts.add(kind + " " + n);
                    causes.add(kind + ": " + cause);
                }
            });
            if (counts.isEmpty()) {
                return null;
            }
            return "Warning: " + String.join(", ", counts) + " will fail again unless their cause changed ("
                    + String.join("; ", causes) + ")";
        }

        /** @return the plan for the terminal, each line escaped */
        List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(safe("Plan: move " + plan.matched() + " of " + plan.scanned() + " dead letters from " + source + " to "
                    + target));
            lines.add("  filter   " + safe(filter.describe()));
            if (rate > 0) {
                lines.add("  rate     at most " + (rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate))
                        + "/s");
            }
            if (!plan.matchedByKind().isEmpty()) {
                lines.add("  by kind  " + safe(String.join(", ", plan.matchedByKind().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).toList())));
            }
            String warning = warning();
            if (warning != null) {
                lines.add(safe(warning));
            }
            return lines;
        }

        /** @return the plan for {@code -o json} */
        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("source", source);
            json.put("target", target);
            json.put("scanned", plan.scanned());
            json.put("matched", plan.matched());
            json.put("filter", filter.toJson());
            json.put("filter_text", filter.describe());
            json.put("rate_per_second", rate > 0 ? rate : null);
            json.put("by_kind", plan.matchedByKind());
            return json;
        }
    }

    /** {@code sluice dlq export}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write dead letters as JSON Lines (attributes and base64 body); they stay in the queue. "
                    + "Values are exact; control and bidi characters in them are JSON escapes.")
    public static final class Export implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @Mixin Common common;
        @Spec CommandSpec spec;

        @Option(names = "--max", defaultValue = "1000", converter = AtLeastOne.class,
                description = "Dead letters to export, at least 1 (default: ${DEFAULT-VALUE}).")
        int max;

        @Option(names = "--out", description = "File to write (default: standard output).")
        @Nullable Path file;

        @Override
        public Integer call() throws IOException {
            try (DeadLetterQueue backend = parent.open(common)) {
                List<DeadLetter> letters = backend.browse(max);
                if (file == null) {
                    DeadLetterInspection.exportJsonLines(letters, out(spec));
                    return ExitCodes.OK;
                }
                // dead letters hold customer data: only the operator may read the file
                ownerOnly(file);
                try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    DeadLetterInspection.exportJsonLines(letters, w);
                }
                if (common.output == OutputFormat.json) {
                    out(spec).println(Json.write(Map.of("exported", letters.size(), "file", file.toAbsolutePath().toString())));
                } else {
                    spec.commandLine().getErr().println("Exported " + letters.size() + " dead letters to " + safe(file));
                }
                return ExitCodes.OK;
            }
        }
    }

    /**
     * Creates {@code file} readable and writable by its owner only (mode 0600), or narrows an existing one to that
     * before it is overwritten. On a file system without POSIX permissions the file is created as the system does.
     */
    static void ownerOnly(Path file) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> owner =
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(owner));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            Files.setPosixFilePermissions(file, owner);
        } catch (UnsupportedOperationException e) {
            Files.deleteIfExists(file);
            Files.createFile(file);
        }
    }

    /** {@code sluice dlq tasks}. */
    @Command(name = "tasks", mixinStandardHelpOptions = true, description = "AWS only: list native message move tasks.")
    public static final class Tasks implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @Mixin Common common;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            return parent.withMoveTasks(common, spec, nativeRedrive -> {
                List<MoveTasks.Task> tasks = new ArrayList<>(nativeRedrive.list());
                PrintWriter out = out(spec);
                if (common.output == OutputFormat.json) {
                    out.println(Json.write(tasks.stream().map(t -> {
                        Map<String, Object> json = new LinkedHashMap<>();
                        json.put("handle", t.handle());
                        json.put("status", t.status());
                        json.put("moved", t.moved());
                        json.put("to_move", t.toMove());
                        return json;
                    }).toList()));
                } else {
                    if (tasks.isEmpty()) {
                        out.println("no recent move tasks");
                    }
                    tasks.forEach(t -> out.printf("%s  %s  moved %s of %s%n", safe(t.handle()), safe(t.status()),
                            count(t.moved()), t.toMove() == null ? "unknown" : count(t.toMove())));
                }
                return ExitCodes.OK;
            });
        }
    }

    /** {@code sluice dlq cancel}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "AWS only: cancel a native message move task.")
    public static final class Cancel implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @Mixin Common common;
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "<task-handle>")
        String handle;

        @Override
        public Integer call() {
            return parent.withMoveTasks(common, spec, nativeRedrive -> {
                nativeRedrive.cancel(handle);
                out(spec).println("Cancelled " + safe(handle));
                return ExitCodes.OK;
            });
        }
    }

    /** @param n a count @return it with thousands separators: {@code 1,234} */
    static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
