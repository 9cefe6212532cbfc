package dev.sluice.cdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import software.amazon.awscdk.App;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.lambda.Code;

/** Apps, assets and template navigation shared by the CDK tests. */
final class CdkTestSupport {

    static final String VALIDATE_AGAINST_DEFAULT_RULES = "@aws-cdk/core:validateAgainstDefaultRules";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TARGET = Path.of("target");

    private CdkTestSupport() {
    }

    /** An app that fails synthesis on CloudFormation template validation errors, like cdk.json's. */
    static App validatingApp(Map<String, Object> context) {
        Map<String, Object> all = new HashMap<>(context);
        all.put(VALIDATE_AGAINST_DEFAULT_RULES, true);
        return App.Builder.create().context(all).outdir(tempDir("cdk-out-").toString()).build();
    }

    static App validatingApp() {
        return validatingApp(Map.of());
    }

    /** A directory asset standing in for the Lambda deployment package. */
    static Code lambdaCode() {
        Path dir = tempDir("lambda-asset-");
        write(dir.resolve("handler.txt"), "stand-in for the Lambda deployment jar");
        return Code.fromAsset(dir.toString());
    }

    /** A small jar standing in for a Lambda deployment jar. */
    static Path lambdaJar() {
        Path jar = tempDir("lambda-jar-").resolve("order-events-lambda.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("stand-in.txt"));
            out.write("stand-in".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }

    static Path tempDir(String prefix) {
        try {
            Files.createDirectories(TARGET);
            return Files.createTempDirectory(TARGET, prefix).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The template of {@code stackName} exactly as {@code cdk synth} writes it. */
    static Tpl template(CloudAssembly assembly, String stackName) {
        return new Tpl(JSON.valueToTree(assembly.getStackByName(stackName).getTemplate()));
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A synthesized CloudFormation template. */
    record Tpl(JsonNode root) {

        List<Res> resources(String type) {
            List<Res> found = new ArrayList<>();
            root.path("Resources").properties().forEach(e -> {
                if (type.equals(e.getValue().path("Type").asText())) {
                    found.add(new Res(e.getKey(), e.getValue()));
                }
            });
            return found;
        }

        /** The only resource of {@code type} whose property at {@code pointer} is {@code value}. */
        Res resource(String type, String pointer, String value) {
            List<Res> found = resources(type).stream().filter(r -> value.equals(r.prop(pointer).asText())).toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one " + type + " with " + pointer + " = " + value
                        + ", found " + found.size() + " in " + resources(type));
            }
            return found.get(0);
        }

        Res only(String type) {
            List<Res> found = resources(type);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + type + ", found " + found.size());
            }
            return found.get(0);
        }
    }

    /** One resource of a template. */
    record Res(String logicalId, JsonNode node) {

        JsonNode prop(String pointer) {
            return node.at("/Properties" + pointer);
        }

        /** {@code {"Ref": logicalId}}, how other resources point at this one. */
        JsonNode ref() {
            return JSON.createObjectNode().put("Ref", logicalId);
        }

        /** {@code {"Fn::GetAtt": [logicalId, attribute]}}. */
        JsonNode getAtt(String attribute) {
            var node = JSON.createObjectNode();
            node.putArray("Fn::GetAtt").add(logicalId).add(attribute);
            return node;
        }
    }
}
