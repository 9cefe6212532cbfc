package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The S3 SDK is optional in functions-aws (it would add about 2.3 MB to every Lambda jar): the consumer and the sender
 * must link and verify on a class path without it, as in a function that does not use claim-check.
 */
class WithoutS3SdkTest {
    private static URLClassLoader withoutS3() {
        String separator = File.separator;
        List<URL> urls = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains(separator + "awssdk" + separator + "s3" + separator))
                .map(entry -> {
                    try {
                        return Path.of(entry).toUri().toURL();
                    } catch (MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    @Test
    void theConsumerAndTheSender_linkWithoutTheS3Sdk() throws Exception {
        try (URLClassLoader loader = withoutS3()) {
            assertThatThrownBy(() -> Class.forName("software.amazon.awssdk.services.s3.S3Client", false, loader))
                    .isInstanceOf(ClassNotFoundException.class);

            // initialising links and verifies every method of each class
            for (String name : List.of("dev.sluice.aws.SqsBatchConsumer", "dev.sluice.aws.SqsBatchConsumer$Builder",
                    "dev.sluice.aws.SqsMessageSender", "dev.sluice.aws.SqsMessageSender$Builder",
                    "dev.sluice.aws.internal.AwsClients")) {
                assertThat(Class.forName(name, true, loader)).as(name).isNotNull();
            }
        }
    }

    @Test
    void aPayloadStoreWithoutTheS3Sdk_failsAtStart_namingTheSettingAndTheDependency() throws Exception {
        try (URLClassLoader loader = withoutS3()) {
            // the check SqsBatchConsumer's build() runs when SLUICE_PAYLOAD_STORE names a bucket
            java.lang.reflect.Method check = Class.forName("dev.sluice.aws.SqsBatchConsumer", true, loader)
                    .getDeclaredMethod("requireS3Sdk");
            check.setAccessible(true);

            assertThatThrownBy(() -> check.invoke(null))
                    .isInstanceOf(java.lang.reflect.InvocationTargetException.class)
                    .cause()
                    .satisfies(cause -> assertThat(cause.getClass().getName())
                            .isEqualTo("dev.sluice.core.config.ConfigurationException"))
                    .hasMessageContaining("SLUICE_PAYLOAD_STORE")
                    .hasMessageContaining("software.amazon.awssdk:s3");
        }
        // with the S3 SDK present (this module's own class path) the same check passes
        java.lang.reflect.Method present = SqsBatchConsumer.class.getDeclaredMethod("requireS3Sdk");
        present.setAccessible(true);
        present.invoke(null);
    }
}
