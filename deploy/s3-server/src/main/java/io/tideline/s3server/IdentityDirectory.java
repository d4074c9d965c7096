package io.tideline.s3server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identities as files {@code <dir>/<accessKey>.properties} ({@code secretKey=}, {@code bucket=}; optional
 * {@code access=read-only} and {@code expires=<ISO-8601 instant>} for an identity minted for one restore),
 * looked up at request time so that an identity written by the storage provisioner works at once,
 * and one removed stops working at once. Parsed files are cached by modification time, size and
 * file key (inode), so a rewrite in place or an atomic rename is seen on the next request.
 */
public final class IdentityDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityDirectory.class);
    /** The {@code access=} values; absent means read-write (the files written before read-only identities existed). */
    public static final String ACCESS_READ_WRITE = "read-write";
    public static final String ACCESS_READ_ONLY = "read-only";

    private record Cached(FileTime modified, long size, Object fileKey, Optional<Identity> identity) {
        boolean matches(BasicFileAttributes attributes) {
            return modified.equals(attributes.lastModifiedTime()) && size == attributes.size()
                    && java.util.Objects.equals(fileKey, attributes.fileKey());
        }
    }

    private final Path directory;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    public IdentityDirectory(Path directory) {
        this.directory = directory;
    }

    /** The identity with this access key; empty if unknown or its file is unreadable or invalid. */
    public Optional<Identity> find(String accessKey) {
        if (!Identity.isValidAccessKey(accessKey)) {
            return Optional.empty();
        }
        Path file = directory.resolve(accessKey + ".properties");
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            cache.remove(accessKey);
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot stat identity file {}: {}", file, e.toString());
            return Optional.empty();
        }
        Cached cached = cache.get(accessKey);
        if (cached != null && cached.matches(attributes)) {
            return cached.identity();
        }
        Optional<Identity> identity = read(accessKey, file);
        cache.put(accessKey, new Cached(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey(), identity));
        return identity;
    }

    private static Optional<Identity> read(String accessKey, Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            LOG.warn("cannot read identity file {}: {}", file, e.toString());
            return Optional.empty();
        }
        String secretKey = properties.getProperty("secretKey");
        String bucket = properties.getProperty("bucket");
        if (secretKey == null || bucket == null) {
            LOG.warn("identity file {} lacks secretKey= or bucket=; the identity is refused", file);
            return Optional.empty();
        }
        String access = properties.getProperty("access", ACCESS_READ_WRITE).strip();
        if (!access.equals(ACCESS_READ_WRITE) && !access.equals(ACCESS_READ_ONLY)) {
            LOG.warn("identity file {} has access={} (not {} or {}); the identity is refused", file, access,
                    ACCESS_READ_WRITE, ACCESS_READ_ONLY);
            return Optional.empty();
        }
        try {
            Optional<Instant> expires = Optional.ofNullable(properties.getProperty("expires")).map(String::strip).map(Instant::parse);
            return Optional.of(new Identity(accessKey, secretKey.strip(), bucket.strip(), access.equals(ACCESS_READ_ONLY), expires));
        } catch (DateTimeParseException e) {
            LOG.warn("identity file {} has an unreadable expires= ({}); the identity is refused", file, e.getMessage());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            LOG.warn("identity file {} is invalid ({}); the identity is refused", file, e.getMessage());
            return Optional.empty();
        }
    }
}
