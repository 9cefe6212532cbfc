package dev.sluice.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.redrive.RedriveProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The redrive progress bar: drawn only on a terminal, and never wider than it. */
class ProgressBarTest {
    private final StringWriter drawn = new StringWriter();

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {20, 40, 60, 79, 120})
    void everyLine_fitsTheTerminal_andKeepsTheCounts(int columns) {
        // GIVEN a terminal of that width and a large redrive
        ProgressBar bar = new ProgressBar(new PrintWriter(drawn), 123_456, columns, true);

        // WHEN progress is drawn from the start to the end
        for (RedriveProgress p : new RedriveProgress[] {new RedriveProgress(0, 0, 0, 0, 0),
                new RedriveProgress(99_999, 60_000, 59_000, 1_000, 0), new RedriveProgress(250_000, 123_456, 123_000, 456, 0)}) {
            bar.onProgress(p);
        }
        bar.finish();

        // THEN every line fits with the cursor still on it, and shows the counts (cut only when nothing else fits)
        String[] lines = drawn.toString().replace("\n", "").split("\r");
        assertThat(lines).filteredOn(l -> !l.isEmpty()).hasSize(3)
                .allSatisfy(l -> assertThat(l.length()).isLessThan(columns));
        if (columns >= 60) {
            assertThat(lines[lines.length - 1]).contains("123456/123456 moved=123000 failed=456");
        }
    }

    @Test
    void withoutATerminal_nothingIsDrawn() {
        // GIVEN stderr redirected to a file or a pipe
        ProgressBar bar = new ProgressBar(new PrintWriter(drawn), 10, 79, false);

        // WHEN the redrive progresses and ends
        bar.onProgress(new RedriveProgress(10, 10, 10, 0, 0));
        bar.finish();

        // THEN no carriage returns or bars land in the file
        assertThat(drawn.toString()).isEmpty();
    }

    @Test
    void anUnknownOrBadWidth_is79Columns() {
        assertThat(Terminal.columns(null)).isEqualTo(79);
        assertThat(Terminal.columns("wide")).isEqualTo(79);
        assertThat(Terminal.columns("0")).isEqualTo(79);
        assertThat(Terminal.columns(" 132 ")).isEqualTo(132);
    }
}
