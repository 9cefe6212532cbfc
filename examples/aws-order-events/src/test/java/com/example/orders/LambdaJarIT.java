package com.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The deployment jar that {@code package} builds and infra/ uploads. */
class LambdaJarIT {

    @Test
    void theLambdaJar_holdsTheFunctionSluiceAndTheUrlConnectionClient_butNoNettyOrApacheClient() throws IOException {
        // GIVEN the shaded jar
        Path jar = Path.of(System.getProperty("lambdaJar"));
        assertThat(jar).isRegularFile();

        // WHEN we list it
        List<String> entries;
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = file.stream().map(JarEntry::getName).toList();
        }

        // THEN the handler class Lambda loads, this project's settings and Sluice are in it, with one HTTP client
        assertThat(entries).contains(
                "com/example/orders/OrderEventsFunction.class",
                "sluice.properties",
                "dev/sluice/aws/SqsBatchConsumer.class",
                "software/amazon/awssdk/http/urlconnection/UrlConnectionHttpClient.class");
        assertThat(entries).noneMatch(e -> e.startsWith("io/netty/") || e.startsWith("org/apache/http/")
                || e.startsWith("software/amazon/awssdk/http/apache/") || e.startsWith("software/amazon/awssdk/http/nio/netty/"));
        assertThat(Files.size(jar)).isLessThanOrEqualTo(15L * 1024 * 1024);
    }
}
