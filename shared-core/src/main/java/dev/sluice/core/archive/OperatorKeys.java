package dev.sluice.core.archive;

import dev.sluice.core.SluiceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Ed25519 operator keys on disk. {@code <name>.key} holds the private key as a PKCS#8 PEM block
 * ({@code -----BEGIN PRIVATE KEY-----}), {@code <name>.pub} the public key as an X.509 PEM block
 * ({@code -----BEGIN PUBLIC KEY-----}); each starts with the line {@code Sluice-Operator: <name>} (explanatory text
 * before the block, which PEM readers such as OpenSSL skip). A key file without that line (e.g. made by
 * {@code openssl genpkey -algorithm ed25519}) is the operator its file name names, without the extension.
 */
public final class OperatorKeys {
    /** The line naming the operator, before the PEM block. */
    public static final String OPERATOR_LINE = "Sluice-Operator: ";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private OperatorKeys() {}

    /**
     * @param operator a name
     * @throws IllegalArgumentException unless it is 1 to 64 letters, digits, {@code .}, {@code _} or {@code -},
     *     starting with a letter or digit (it names the key files)
     */
    static void checkName(String operator) {
        if (operator == null || !NAME.matcher(operator).matches()) {
            throw new IllegalArgumentException("an operator name is 1 to 64 letters, digits, '.', '_' or '-', starting with "
                    + "a letter or digit");
        }
    }

    /** @param operator a name @return whether it is a valid operator name */
    public static boolean validName(String operator) {
        return operator != null && NAME.matcher(operator).matches();
    }

    /** @param operator the operator's name @return a new Ed25519 key pair for them */
    public static SigningKey generate(String operator) {
        checkName(operator);
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return new SigningKey(operator, pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is required of every Java platform since Java 15", e);
        }
    }

    /**
     * Writes {@code dir/<name>.key} (created with mode 0600 before anything is written to it) and
     * {@code dir/<name>.pub}. Neither may exist.
     *
     * @param key the key
     * @param dir the directory, created if missing
     * @return the private and the public key file
     * @throws FileAlreadyExistsException when either file exists (nothing is written then)
     * @throws IOException when a file cannot be written
     */
    public static List<Path> write(SigningKey key, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path privateFile = dir.resolve(key.operator() + ".key");
        Path publicFile = dir.resolve(key.operator() + ".pub");
        for (Path p : List.of(privateFile, publicFile)) {
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p.toString(), null, "will not overwrite a key file");
            }
        }
        createOwnerOnly(privateFile);
        Files.writeString(privateFile, pem(key.operator(), PRIVATE, key.privateKey().getEncoded()), StandardCharsets.US_ASCII,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(publicFile, publicPem(key.identity()), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        return List.of(privateFile, publicFile);
    }

    /**
     * Creates an empty file readable and writable by its owner only (mode 0600) from the start; on a file system
     * without POSIX permissions, as the system creates files.
     *
     * @param file the file, which must not exist
     * @throws FileAlreadyExistsException when it exists
     * @throws IOException when it cannot be created
     */
    public static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }

    /** @param key a public key @return its {@code .pub} file's text */
    public static String publicPem(OperatorKey key) {
        return pem(key.operator(), PUBLIC, key.publicKey().getEncoded());
    }

    private static String pem(String operator, String type, byte[] der) {
        return OPERATOR_LINE + operator + "\n-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * @param file a {@code .key} file
     * @return the private key, its public half and its operator
     * @throws SluiceException when the file cannot be read or holds no Ed25519 private key
     */
    public static SigningKey readPrivate(Path file) {
        Pem pem = readPem(file, PRIVATE);
        try {
            PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pem.der()));
            return new SigningKey(pem.operator(), privateKey, publicOf(privateKey));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SluiceException(file + " holds no Ed25519 private key (PKCS#8)", e);
        }
    }

    /**
     * @param file a {@code .pub} file
     * @return the public key and its operator
     * @throws SluiceException when the file cannot be read or holds no Ed25519 public key
     */
    public static OperatorKey readPublic(Path file) {
        Pem pem = readPem(file, PUBLIC);
        try {
            return new OperatorKey(pem.operator(), KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(pem.der())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SluiceException(file + " holds no Ed25519 public key (X.509)", e);
        }
    }

    /**
     * @param der an X.509 SubjectPublicKeyInfo
     * @return the Ed25519 public key
     * @throws IllegalArgumentException when it is none
     */
    public static PublicKey decodePublic(byte[] der) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /**
     * Reads the keys an operator trusts: each path is a {@code .pub} file or a directory whose {@code *.pub} files are
     * read (not its subdirectories).
     *
     * @param paths files and directories
     * @return the keys by fingerprint
     * @throws SluiceException when a path does not exist, a file holds no public key, or two files hold the same key
     *     under different names
     */
    public static Map<String, OperatorKey> readTrusted(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (DirectoryStream<Path> pubs = Files.newDirectoryStream(path, "*.pub")) {
                    List<Path> sorted = new ArrayList<>();
                    pubs.forEach(sorted::add);
                    sorted.sort(null);
                    files.addAll(sorted);
                } catch (IOException e) {
                    throw new SluiceException("cannot list " + path + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new SluiceException("no such file or directory: " + path);
            }
        }
        Map<String, OperatorKey> trusted = new LinkedHashMap<>();
        for (Path file : files) {
            OperatorKey key = readPublic(file);
            OperatorKey before = trusted.putIfAbsent(key.fingerprint(), key);
            if (before != null && !before.operator().equals(key.operator())) {
                throw new SluiceException("the key " + key.fingerprint() + " is trusted under two names, " + before.operator()
                        + " and " + key.operator() + " (" + file + ")");
            }
        }
        return trusted;
    }

    private record Pem(String operator, byte[] der) {}

    private static Pem readPem(Path file, String type) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SluiceException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = b < 0 ? -1 : text.indexOf(end, b);
        if (b < 0 || e < 0) {
            throw new SluiceException(file + " holds no " + type + " PEM block");
        }
        String operator = null;
        for (String line : text.substring(0, b).split("\n")) {
            if (line.startsWith(OPERATOR_LINE)) {
                operator = line.substring(OPERATOR_LINE.length()).trim();
            }
        }
        if (operator == null) {
            String name = file.getFileName().toString();
            int dot = name.lastIndexOf('.');
            operator = dot > 0 ? name.substring(0, dot) : name;
        }
        if (!validName(operator)) {
            throw new SluiceException(file + " names no valid operator (letters, digits, '.', '_', '-')");
        }
        try {
            return new Pem(operator, Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e)));
        } catch (IllegalArgumentException ex) {
            throw new SluiceException(file + ": the PEM block is not base64", ex);
        }
    }

    /**
     * The public half of an Ed25519 private key: the JDK has no method for it, but its key pair generator draws the
     * 32-byte private key from the random source it is given, so a source handing out this key's bytes regenerates
     * the same pair. The result is checked by a signature round trip.
     */
    private static PublicKey publicOf(PrivateKey privateKey) throws GeneralSecurityException {
        if (!(privateKey instanceof EdECPrivateKey edec) || edec.getBytes().isEmpty()) {
            throw new GeneralSecurityException("not an Ed25519 private key with its bytes");
        }
        byte[] seed = edec.getBytes().get();
        SecureRandom replay = new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                if (bytes.length != seed.length) {
                    throw new IllegalStateException("unexpected draw of " + bytes.length + " bytes");
                }
                System.arraycopy(seed, 0, bytes, 0, seed.length);
            }
        };
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, replay);
        KeyPair pair = generator.generateKeyPair();
        byte[] regenerated = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
        if (!Arrays.equals(seed, regenerated)) {
            throw new GeneralSecurityException("cannot derive the public key");
        }
        SigningKey probe = new SigningKey("probe", privateKey, pair.getPublic());
        byte[] challenge = "sluice key check".getBytes(StandardCharsets.US_ASCII);
        if (!probe.identity().verifies(challenge, probe.sign(challenge))) {
            throw new GeneralSecurityException("the derived public key does not verify");
        }
        return pair.getPublic();
    }
}
