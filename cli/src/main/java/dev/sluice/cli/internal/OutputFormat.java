package dev.sluice.cli.internal;

/** How results are printed. */
public enum OutputFormat {
    /** Tables for people. */
    text,
    /** One JSON document for scripts. */
    json
}
