package io.tideline.s3server;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The command line of {@link S3ServerMain}:
 * {@code --data DIR --identities DIR --port N --admin-access-key K [--admin-secret-key S] [--host ADDRESS]
 * [--tls-identity FILE]}. With {@code --tls-identity} (a PEM file: PKCS#8 key, certificate, CA certificate) the
 * server serves HTTPS only, on the same port.
 * {@code --host} is the address to listen on, {@value #DEFAULT_HOST} by default (a host of the fleet
 * harness binds its own address).
 * The admin secret may come from the environment variable {@value #ADMIN_SECRET_ENV} instead, so
 * that it does not show in the process list.
 */
public record ServerArguments(Path data, Path identities, int port, String adminAccessKey, String adminSecretKey, String host,
                              Path tlsIdentity) {

    public static final String ADMIN_SECRET_ENV = "TIDELINE_S3_ADMIN_SECRET_KEY";
    public static final String DEFAULT_HOST = "127.0.0.1";

    public ServerArguments {
        Objects.requireNonNull(data, "--data is required");
        Objects.requireNonNull(identities, "--identities is required");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port out of range: " + port);
        }
        if (adminAccessKey == null || !Identity.isValidAccessKey(adminAccessKey)) {
            throw new IllegalArgumentException("--admin-access-key is required ([A-Za-z0-9_-], 3 to 128 characters)");
        }
        if (host == null || !host.matches("[0-9A-Za-z.:-]+")) {
            throw new IllegalArgumentException("--host must be an address: " + host);
        }
        if (adminSecretKey == null || adminSecretKey.length() < 8) {
            throw new IllegalArgumentException("--admin-secret-key (or " + ADMIN_SECRET_ENV
                    + ") is required, at least 8 characters");
        }
    }

    /** On {@value #DEFAULT_HOST}, plain HTTP. */
    public ServerArguments(Path data, Path identities, int port, String adminAccessKey, String adminSecretKey) {
        this(data, identities, port, adminAccessKey, adminSecretKey, DEFAULT_HOST, null);
    }

    /** Plain HTTP on {@code host}. */
    public ServerArguments(Path data, Path identities, int port, String adminAccessKey, String adminSecretKey, String host) {
        this(data, identities, port, adminAccessKey, adminSecretKey, host, null);
    }

    /** {@code https} with a TLS identity, else {@code http}. */
    public String scheme() {
        return tlsIdentity == null ? "http" : "https";
    }

    public static ServerArguments parse(String[] args, Map<String, String> environment) {
        Path data = null;
        Path identities = null;
        Integer port = null;
        String accessKey = null;
        String secretKey = environment.get(ADMIN_SECRET_ENV);
        String host = DEFAULT_HOST;
        Path tlsIdentity = null;
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[i + 1];
            switch (name) {
                case "--data" -> data = Path.of(value);
                case "--identities" -> identities = Path.of(value);
                case "--port" -> port = parsePort(value);
                case "--admin-access-key" -> accessKey = value;
                case "--admin-secret-key" -> secretKey = value;
                case "--host" -> host = value;
                case "--tls-identity" -> tlsIdentity = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (port == null) {
            throw new IllegalArgumentException("--port is required");
        }
        return new ServerArguments(data, identities, port, accessKey, secretKey, host, tlsIdentity);
    }

    private static int parsePort(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port is not a number: " + value, e);
        }
    }

    @Override
    public String toString() {
        return "ServerArguments[data=" + data + ", identities=" + identities + ", host=" + host + ", port=" + port
                + ", adminAccessKey=" + adminAccessKey + ", adminSecretKey=***, tlsIdentity=" + tlsIdentity + "]";
    }
}
