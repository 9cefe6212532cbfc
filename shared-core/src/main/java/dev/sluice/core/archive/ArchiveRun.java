package dev.sluice.core.archive;

import dev.sluice.core.SluiceException;
import dev.sluice.core.archive.ArchiveRefusedException.Reason;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterInspection;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.ExportFileSource;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an approved, {@linkplain ArchiveApproval#verify verified} plan on a dead-letter queue: receives the dead letters
 * (hidden from other readers while held) until every planned one is in hand, refuses when any is missing or no longer
 * what was planned, exports exactly the planned ones to a new file (mode 0600), reads the file back and compares it
 * with them (every planned id, bodies byte for byte), and only then removes exactly those from the queue. Every other
 * dead letter received is released. A refused run removes nothing and releases everything.
 */
public final class ArchiveRun {
    private static final int RECEIVE_BATCH = 10;

    private ArchiveRun() {}

    /**
     * What a run did.
     *
     * @param archived dead letters written to the archive file and removed from the queue
     * @param notRemoved dead letters written to the file whose removal failed: they are still in the queue as well
     * @param released other dead letters received and released
     * @param byKind the archived dead letters by failure kind
     * @param archiveFile the file
     * @param archiveSha256 the SHA-256 of the file's bytes, hex
     */
    public record Report(int archived, List<String> notRemoved, int released, Map<String, Integer> byKind, Path archiveFile,
                         String archiveSha256) {
        /** Copies. */
        public Report {
            notRemoved = List.copyOf(notRemoved);
            byKind = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byKind));
        }
    }

    /**
     * @param verified the plan, checked
     * @param source the queue the plan names
     * @param archiveFile the file to write; it must not exist
     * @return what was done
     * @throws ArchiveRefusedException when the file exists, planned dead letters are missing, or the file does not read
     *     back as them (nothing is removed then)
     */
    public static Report run(ArchiveApproval.VerifiedPlan verified, DeadLetterSource source, Path archiveFile) {
        ArchivePlan plan = verified.plan();
        if (Files.exists(archiveFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new ArchiveRefusedException(Reason.ARCHIVE_EXISTS, "the archive file exists already: " + archiveFile);
        }
        Map<String, ArchivePlan.PlannedMessage> wanted = new LinkedHashMap<>();
        plan.messages().forEach(m -> wanted.put(m.providerMessageId(), m));
        List<DeadLetter> held = new ArrayList<>();
        Map<String, DeadLetter> found = new LinkedHashMap<>();
        Set<String> removed = new HashSet<>();
        try {
            Set<String> seen = new HashSet<>();
            while (found.size() < wanted.size()) {
                List<DeadLetter> batch = source.receive(RECEIVE_BATCH);
                if (batch.isEmpty()) {
                    break;
                }
                held.addAll(batch);
                boolean anyNew = false;
                for (DeadLetter d : batch) {
                    if (seen.add(d.providerMessageId())) {
                        anyNew = true;
                    }
                    if (wanted.containsKey(d.providerMessageId())) {
                        // received again once its hiding lapsed: only the latest handle still removes it
                        found.put(d.providerMessageId(), d);
                    }
                }
                if (!anyNew) {
                    break;
                }
            }
            List<String> missing = wanted.keySet().stream().filter(id -> !found.containsKey(id)).toList();
            if (!missing.isEmpty()) {
                throw new ArchiveRefusedException(Reason.IDS_MISSING, missing.size() + " planned dead letter(s) no longer in "
                        + "the queue: " + String.join(", ", missing), missing);
            }
            List<String> changed = wanted.values().stream().filter(m -> !ArchiveSelection.planned(found.get(m.providerMessageId()))
                    .equals(m)).map(ArchivePlan.PlannedMessage::providerMessageId).toList();
            if (!changed.isEmpty()) {
                throw new ArchiveRefusedException(Reason.IDS_MISSING, changed.size() + " planned dead letter(s) no longer "
                        + "have the stable id or failure kind the plan names: " + String.join(", ", changed), changed);
            }
            List<DeadLetter> planned = wanted.keySet().stream().map(found::get).toList();
            write(planned, archiveFile);
            verifyExport(planned, archiveFile);
            String sha256 = ExportFileSource.open(archiveFile).sha256();
            List<String> notRemoved = new ArrayList<>();
            for (DeadLetter d : planned) {
                try {
                    source.remove(d);
                    removed.add(d.handle());
                } catch (RuntimeException e) {
                    notRemoved.add(d.providerMessageId());
                }
            }
            int released = held.size() - removed.size() - notRemoved.size();
            return new Report(removed.size(), notRemoved, released, ArchivePlan.countByKind(plan.messages()), archiveFile, sha256);
        } finally {
            releaseAll(source, held.stream().filter(d -> !removed.contains(d.handle())).toList());
        }
    }

    private static void write(List<DeadLetter> planned, Path archiveFile) {
        try {
            OperatorKeys.createOwnerOnly(archiveFile);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new ArchiveRefusedException(Reason.ARCHIVE_EXISTS, "the archive file exists already: " + archiveFile);
        } catch (IOException e) {
            throw new SluiceException("cannot create the archive file " + archiveFile + ": " + e.getMessage(), e);
        }
        try (Writer w = Files.newBufferedWriter(archiveFile, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            DeadLetterInspection.exportJsonLines(planned, w);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(archiveFile);
            throw new SluiceException("cannot write the archive file " + archiveFile + ": " + e.getMessage(), e);
        }
    }

    /** Reads the file back: exactly the planned dead letters, ids and bodies identical; else deletes it and refuses. */
    private static void verifyExport(List<DeadLetter> planned, Path archiveFile) {
        String problem = null;
        try {
            ExportFileSource read = ExportFileSource.open(archiveFile);
            Map<String, DeadLetter> byId = new LinkedHashMap<>();
            read.deadLetters().forEach(d -> byId.put(d.providerMessageId(), d));
            if (read.deadLetters().size() != planned.size() || read.skippedDuplicates() > 0) {
                problem = "it holds " + read.deadLetters().size() + " dead letters, not " + planned.size();
            } else {
                for (DeadLetter d : planned) {
                    DeadLetter back = byId.get(d.providerMessageId());
                    if (back == null) {
                        problem = d.providerMessageId() + " is missing";
                    } else if (!Arrays.equals(back.body(), d.body())) {
                        problem = "the body of " + d.providerMessageId() + " differs";
                    } else if (!back.originalMessageId().equals(d.originalMessageId())) {
                        problem = "the stable id of " + d.providerMessageId() + " differs";
                    }
                    if (problem != null) {
                        break;
                    }
                }
            }
        } catch (SluiceException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            deleteQuietly(archiveFile);
            throw new ArchiveRefusedException(Reason.EXPORT_MISMATCH, "the archive file did not read back as the planned "
                    + "dead letters (" + problem + "); it was deleted and nothing was removed");
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // what is left is named in the error
        }
    }

    /** Releases each dead letter; one that cannot be released becomes visible when its hiding lapses. */
    static void releaseAll(DeadLetterSource source, List<DeadLetter> held) {
        for (DeadLetter d : held) {
            try {
                source.release(d);
            } catch (RuntimeException ignored) {
                // visible again when its hiding lapses
            }
        }
    }
}
